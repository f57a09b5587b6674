import { expectClose, runPreferenceKit } from '@tirl/core/testing';
import { dpoLoss, seppoLoss, simpoLoss, tgdpoLoss } from '../src';
import { lossAndGradients } from './helpers';

runPreferenceKit(dpoLoss, { valid: { beta: 0.1 }, invalid: [{ options: { beta: 0 }, field: 'beta' }, { options: { labelSmoothing: 0.5 }, field: 'labelSmoothing' }] });
runPreferenceKit(simpoLoss, { valid: {}, invalid: [{ options: { gammaBetaRatio: -1 }, field: 'gammaBetaRatio' }, { options: { variant: 'ipo' }, field: 'variant' }] });
runPreferenceKit(tgdpoLoss, { valid: {}, invalid: [{ options: { alpha: -0.1 }, field: 'alpha' }] });
runPreferenceKit(seppoLoss, { valid: {}, invalid: [{ options: { flipper: 'drop' }, field: 'flipper' }] });

/*
 * DPO, β = 0.1. Position 0 is a prompt token (mask 0, its values are arbitrary and must not count).
 * Pair 1: S_θ(y_w) = −5 − 7 = −12, S_ref(y_w) = −6 − 6.5 = −12.5 → h_w = 0.5;
 *         S_θ(y_l) = −9 − 6 = −15,  S_ref(y_l) = −7 − 7.2 = −14.2 → h_l = −0.8; Δ = 1.3, βΔ = 0.13.
 *   L = softplus(−0.13) = ln(1 + e^−0.13) = ln(1.878095) = 0.630258.
 *   ∂L/∂ℓ_w[t] = −β·σ(−βΔ) = −0.1·1/(1 + e^0.13) = −0.1·0.467546 = −0.0467546 on each chosen token; +0.0467546 on each rejected token.
 * Pair 2: h_w = (−2 − 2) − (−1.8 − 1.8) = −0.4; h_l = (−3 − 3) − (−3.3 − 3.3) = 0.6; Δ = −1.0, βΔ = −0.1.
 *   L = softplus(0.1) = ln(2.105171) = 0.744397; ∂L/∂ℓ_w[t] = −0.1·σ(0.1) = −0.1·0.524979 = −0.0524979.
 */
const dpoChosen = { logProbs: [[-9, -5, -7], [-9, -2, -2]], refLogProbs: [[-1, -6, -6.5], [-4, -1.8, -1.8]], lossMask: [[0, 1, 1], [0, 1, 1]] };
const dpoRejected = { logProbs: [[-4, -9, -6], [-4, -3, -3]], refLogProbs: [[-2, -7, -7.2], [-8, -3.3, -3.3]], lossMask: [[0, 1, 1], [0, 1, 1]] };

describe('preference/dpo numbers (derived by hand)', () => {
  it('loss and gradient w.r.t. both sides for two pairs', () => {
    const out = lossAndGradients(dpoLoss, { beta: 0.1 }, dpoChosen, dpoRejected);
    expectClose(out.losses, [0.630258, 0.744397], 1e-5);
    expectClose(out.gradChosen, [[0, -0.0467546, -0.0467546], [0, -0.0524979, -0.0524979]], 1e-6);
    expectClose(out.gradRejected, [[0, 0.0467546, 0.0467546], [0, 0.0524979, 0.0524979]], 1e-6);
    // Implicit rewards β·h: chosen (0.05 − 0.04)/2, rejected (−0.08 + 0.06)/2; pair 1 ranked right, pair 2 not.
    expectClose(out.metrics, { 'preference/dpo/chosen_reward': 0.005, 'preference/dpo/rejected_reward': -0.01, 'preference/dpo/accuracy': 0.5 }, 1e-6);
  });

  it('cDPO (ε = 0.1) and IPO on sums', () => {
    // cDPO: 0.9·softplus(−0.13) + 0.1·softplus(0.13) = 0.9·0.630258 + 0.1·0.760258 = 0.643258.
    expectClose(lossAndGradients(dpoLoss, { beta: 0.1, variant: 'cdpo', labelSmoothing: 0.1 }, dpoChosen, dpoRejected).losses[0], 0.643258, 1e-5);
    // IPO: (Δ − 1/(2β))² = (1.3 − 5)² = 13.69; ∂/∂ℓ_w[t] = 2(Δ − 5) = −7.4.
    const ipo = lossAndGradients(dpoLoss, { beta: 0.1, variant: 'ipo-sum' }, dpoChosen, dpoRejected);
    expectClose(ipo.losses[0], 13.69, 1e-4);
    expectClose(ipo.gradChosen[0], [0, -7.4, -7.4], 1e-4);
  });
});

describe('preference/simpo numbers (derived by hand)', () => {
  it('β = 2.5, γ/β = 0.55: chosen 30 tokens of −0.8, rejected 25 tokens of −1.2', () => {
    // ℓ̄_w = −24/30 = −0.8, ℓ̄_l = −30/25 = −1.2; z = 0.4 − 0.55 = −0.15; βz = −0.375;
    // L = softplus(0.375) = ln(1 + 1.454991) = 0.898123. σ(−βz) = σ(0.375) = 1.454991/2.454991 = 0.592667;
    // ∂L/∂ℓ_w[t] = −β·σ(0.375)/|y_w| = −2.5·0.592667/30 = −0.0493889; ∂L/∂ℓ_l[t] = +2.5·0.592667/25 = 0.0592667.
    const chosen = { logProbs: [[-3, ...Array(30).fill(-0.8)]], lossMask: [[0, ...Array(30).fill(1)]] };
    const rejected = { logProbs: [[-3, ...Array(25).fill(-1.2), -7, -7, -7, -7, -7]], lossMask: [[0, ...Array(25).fill(1), 0, 0, 0, 0, 0]] };
    const out = lossAndGradients(simpoLoss, { beta: 2.5, gammaBetaRatio: 0.55 }, chosen, rejected);
    expectClose(out.losses, [0.898123], 1e-5);
    expectClose(out.gradChosen[0], [0, ...Array(30).fill(-0.0493889)], 1e-6);
    expectClose(out.gradRejected[0], [0, ...Array(25).fill(0.0592667), 0, 0, 0, 0, 0], 1e-6);
    // Hinge: relu(1 − βz) = 1 + 0.375 = 1.375.
    expectClose(lossAndGradients(simpoLoss, { beta: 2.5, gammaBetaRatio: 0.55, variant: 'hinge' }, chosen, rejected).losses, [1.375], 1e-5);
  });

  it('defaults β = 2, γ/β = 0.25, and no reference is read', () => {
    // ℓ̄_w = −1 (2 tokens), ℓ̄_l = −2 (4 tokens); z = 1 − 0.25 = 0.75; βz = 1.5; L = softplus(−1.5) = ln(1.223130) = 0.201413.
    // σ(−1.5) = 1/(1 + 4.481689) = 0.182426; ∂L/∂ℓ_w[t] = −2·0.182426/2 = −0.182426; ∂L/∂ℓ_l[t] = 2·0.182426/4 = 0.091213.
    const chosen = { logProbs: [[-1, -1, 0, 0]], lossMask: [[1, 1, 0, 0]], refLogProbs: [[50, 50, 50, 50]] };
    const rejected = { logProbs: [[-2, -2, -2, -2]], lossMask: [[1, 1, 1, 1]], refLogProbs: [[-50, -50, -50, -50]] };
    const out = lossAndGradients(simpoLoss, {}, chosen, rejected);
    expectClose(out.losses, [0.201413], 1e-5);
    expectClose(out.gradChosen[0], [-0.182426, -0.182426, 0, 0], 1e-5);
    expectClose(out.gradRejected[0], [0.091213, 0.091213, 0.091213, 0.091213], 1e-5);
  });
});

describe('preference/tgdpo numbers (derived by hand)', () => {
  it('β = 0.1, α = 0.5: per-token coefficients from the guidance', () => {
    // λ = ℓ − ℓ_ref with ℓ_ref = −1: λ_w = [0.3, −0.2, 0.1], λ_l = [−0.4, 0.2]; ρ_w = [0.8, −0.6, 0], ρ_l = [−1.5, 0.4].
    // Chosen coefficients β(1 + αβρ_w) = 0.1·(1.04, 0.97, 1) = [0.104, 0.097, 0.1] → Σ c·λ = 0.0312 − 0.0194 + 0.01 = 0.0218.
    // Rejected coefficients β(1 − αβρ_l) = 0.1·(1.075, 0.98) = [0.1075, 0.098] → Σ c·λ = −0.043 + 0.0196 = −0.0234.
    // z = 0.0218 + 0.0234 = 0.0452; L = softplus(−0.0452) = ln(1.955806) = 0.670803 (DPO on the same ratios: 0.673347).
    // σ(−z) = 1/(1 + e^0.0452) = 0.488702; ∂L/∂ℓ_w[t] = −σ(−z)·c_w[t] = [−0.050825, −0.047404, −0.048870]; ∂L/∂ℓ_l[t] = σ(−z)·c_l[t] = [0.052535, 0.047893].
    const chosen = { logProbs: [[-0.7, -1.2, -0.9]], refLogProbs: [[-1, -1, -1]], guidance: [[0.8, -0.6, 0]], lossMask: [[1, 1, 1]] };
    const rejected = { logProbs: [[-1.4, -0.8, 5]], refLogProbs: [[-1, -1, -1]], guidance: [[-1.5, 0.4, 9]], lossMask: [[1, 1, 0]] };
    const out = lossAndGradients(tgdpoLoss, { beta: 0.1, alpha: 0.5 }, chosen, rejected);
    expectClose(out.losses, [0.670803], 1e-5);
    expectClose(out.gradChosen[0], [-0.050825, -0.047404, -0.04887], 1e-5);
    expectClose(out.gradRejected[0], [0.052535, 0.047893, 0], 1e-5);
    // α = 0 is DPO: z = β·(0.2 + 0.2) = 0.04, softplus(−0.04) = 0.673347.
    expectClose(lossAndGradients(tgdpoLoss, { beta: 0.1, alpha: 0 }, chosen, rejected).losses, [0.673347], 1e-5);
  });

  it('fails naming the fix when pairs carry no guidance', () => {
    const s = { logProbs: [[-1]], refLogProbs: [[-1]], lossMask: [[1]] };
    expect(() => lossAndGradients(tgdpoLoss, {}, s, s)).toThrow(/chosenGuidance/);
  });
});

describe('preference/seppo numbers (derived by hand, LLM form)', () => {
  // Pair A: h_w = −40 − (−41.5) = 1.5 ≥ 0 → sign +1; h_ref = −35 − (−33) = −2; z = 0.1·(1.5 + 2) = 0.35;
  //   L = softplus(−0.35) = 0.533382; σ(−0.35) = 0.413382 → ∂L/∂ℓ_w = −0.0413382, ∂L/∂ℓ_ref-sample = +0.0413382.
  // Pair B: h_w = −40 − (−38) = −2 < 0 → sign −1 (the reference sample becomes a second winner);
  //   z = 0.1·(−2 − (−1)(−2)) = −0.4; L = softplus(0.4) = 0.913015; σ(0.4) = 0.598688 →
  //   ∂L/∂ℓ_w = −0.0598688 and ∂L/∂ℓ_ref-sample = −0.0598688 (pushed up too).
  const chosen = { logProbs: [[-20, -20], [-20, -20]], refLogProbs: [[-20, -21.5], [-19, -19]], lossMask: [[1, 1], [1, 1]] };
  const rejected = { logProbs: [[-35, 0], [-35, 0]], refLogProbs: [[-33, 0], [-33, 0]], lossMask: [[1, 0], [1, 0]] };

  it('flip', () => {
    const out = lossAndGradients(seppoLoss, { beta: 0.1 }, chosen, rejected);
    expectClose(out.losses, [0.533382, 0.913015], 1e-5);
    expectClose(out.gradChosen, [[-0.0413382, -0.0413382], [-0.0598688, -0.0598688]], 1e-6);
    expectClose(out.gradRejected, [[0.0413382, 0], [-0.0598688, 0]], 1e-6);
    expectClose(out.metrics['preference/seppo/flipped_fraction'], 0.5);
  });

  it('indicator: a flipped pair keeps only the anchor term', () => {
    // Pair B: L = softplus(−β·h_w) = softplus(0.2) = 0.798139; ∂L/∂ℓ_w = −0.1·σ(0.2) = −0.0549834; the reference sample gets 0.
    const out = lossAndGradients(seppoLoss, { beta: 0.1, flipper: 'indicator' }, chosen, rejected);
    expectClose(out.losses, [0.533382, 0.798139], 1e-5);
    expectClose(out.gradRejected[1], [0, 0], 1e-9);
    expectClose(out.gradChosen[1], [-0.0549834, -0.0549834], 1e-6);
  });
});
