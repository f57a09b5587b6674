import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
// Tests run on the deterministic pure-JS backend unless a test selects another.
import '@tensorflow/tfjs-backend-cpu';

tf.env().set('IS_TEST', true);
