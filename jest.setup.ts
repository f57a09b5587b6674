import 'reflect-metadata';
// Tests run on the deterministic pure-JS backend unless a test selects another.
import '@tensorflow/tfjs-backend-cpu';
