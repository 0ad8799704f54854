import { defineMutantMatrix } from './support/mutant-matrix.js';

defineMutantMatrix(['HTTP', 'SCHEMA', 'AUTH']);
