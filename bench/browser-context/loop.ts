// The timed loop, compiled with each mode's chain (same target, same transform), so under zone.js
// the loop's own awaits are downlevelled too and the chain runs inside the zone it was started in.
export async function timeChains(level0: (i: number) => Promise<number>, iterations: number): Promise<number> {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) checksum += await level0(i);
  return checksum;
}
