// The same chain with the context passed by hand as an argument: the floor for explicit passing.
interface Carried { readonly depth: number }
async function level9(i: number, context: Carried): Promise<number> {
  return context.depth + i;
}
async function level8(i: number, c: Carried): Promise<number> { return (await level9(i, c)) + 1; }
async function level7(i: number, c: Carried): Promise<number> { return (await level8(i, c)) + 1; }
async function level6(i: number, c: Carried): Promise<number> { return (await level7(i, c)) + 1; }
async function level5(i: number, c: Carried): Promise<number> { return (await level6(i, c)) + 1; }
async function level4(i: number, c: Carried): Promise<number> { return (await level5(i, c)) + 1; }
async function level3(i: number, c: Carried): Promise<number> { return (await level4(i, c)) + 1; }
async function level2(i: number, c: Carried): Promise<number> { return (await level3(i, c)) + 1; }
async function level1(i: number, c: Carried): Promise<number> { return (await level2(i, c)) + 1; }
const carried: Carried = { depth: 1 };
export async function level0(i: number): Promise<number> { return (await level1(i, carried)) + 1; }
