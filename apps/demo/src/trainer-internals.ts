// `evaluate` and the chart writers are not (yet) exported from @tirl/trainer's entry point; the demo
// reaches them by path until they are.
export { evaluate, type EvalResult } from '../../../packages/trainer/src/eval';
export { lineChartSvg, writeReport } from '../../../packages/trainer/src/report/charts';
