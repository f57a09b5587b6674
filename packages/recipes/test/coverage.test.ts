import { recipes } from '../src';
import { stepCases } from './steps';

it('every recipe but base has a one-step training test', () => {
  expect(stepCases.map((c) => c.name).sort()).toEqual(recipes.map((r) => r.name).sort());
});
