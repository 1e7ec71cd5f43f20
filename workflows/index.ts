export { returnCase } from './return-case.js';
