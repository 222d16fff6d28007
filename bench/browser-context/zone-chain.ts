// The nested-await chain for zone.js: the leaf reads the zone's property the way a log call would.
declare const Zone: { current: { get(key: string): unknown } };

async function level9(i: number): Promise<number> {
  return (Zone.current.get('depth') as number) + i;
}
async function level8(i: number): Promise<number> { return (await level9(i)) + 1; }
async function level7(i: number): Promise<number> { return (await level8(i)) + 1; }
async function level6(i: number): Promise<number> { return (await level7(i)) + 1; }
async function level5(i: number): Promise<number> { return (await level6(i)) + 1; }
async function level4(i: number): Promise<number> { return (await level5(i)) + 1; }
async function level3(i: number): Promise<number> { return (await level4(i)) + 1; }
async function level2(i: number): Promise<number> { return (await level3(i)) + 1; }
async function level1(i: number): Promise<number> { return (await level2(i)) + 1; }
export async function level0(i: number): Promise<number> { return (await level1(i)) + 1; }
