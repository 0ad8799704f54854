import { defineMutantMatrix } from './support/mutant-matrix.js';

defineMutantMatrix(['RESTART', 'RECREATE']);
