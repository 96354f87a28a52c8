export type {
  BackendConformanceSpec,
  ConformanceCase,
  ExpectedType,
  MarkingVector,
} from './conformance.js';
export { backendConformance } from './conformance.js';
