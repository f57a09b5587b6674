/** Registers tfjs-core's gradient functions (side effect only). */
export {};
