/** Timing helpers: sequential awaited calls, per-call ns, medians. */

/** ns per call of `calls` sequential awaited calls of `fn`. */
export async function perCall(fn, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs every variant `rounds` times, rotating their order each round (so no variant always runs
 * first or right after the same neighbour), and returns the per-round ns per call of each.
 * Variants slower than 3 us per call in the warm-up run a tenth of the calls (same rounds).
 */
export async function alternate(variants, { rounds, calls, warmup }) {
  const names = Object.keys(variants);
  const count = {};
  for (const name of names) count[name] = (await perCall(variants[name], warmup)) > 3000 ? Math.ceil(calls / 10) : calls;
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) samples[name].push(await perCall(variants[name], count[name]));
  }
  return { samples, count };
}

/**
 * For calls that cost a network round trip: times every call on its own, alternating the variants
 * call by call (ABAB..., then BABA... every other step), so both see the same Redis and network at
 * the same moments. Returns each variant's per-call ns; compare medians.
 */
export async function interleaveCalls(variants, { calls, warmup }) {
  const names = Object.keys(variants);
  for (const name of names) for (let i = 0; i < warmup; i++) await variants[name]();
  const samples = Object.fromEntries(names.map((n) => [n, new Array(calls)]));
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const start = process.hrtime.bigint();
      await variants[name]();
      samples[name][i] = Number(process.hrtime.bigint() - start);
    }
  }
  return samples;
}
