import * as tf from '@tensorflow/tfjs-core';
// Tests run on the deterministic pure-JS backend unless a test selects another.
import '@tensorflow/tfjs-backend-cpu';

// PROD silences tfjs's console hints; IS_TEST would also turn on kernel leak checks that the stock wasm kernels fail.
tf.env().set('PROD', true);
