import { defineMutantMatrix } from './support/mutant-matrix.js';

defineMutantMatrix(['ADDR', 'ID', 'NAME']);
