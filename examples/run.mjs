// `npm start`: compiles the demo shop with tspc and the Logmill transformer, then runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const repository = join(root, '..');
const shop = join(root, 'shop');
// The demo resolves `logmill` to this checkout, as an app resolves it from node_modules.
mkdirSync(join(shop, 'node_modules'), { recursive: true });
if (!existsSync(join(shop, 'node_modules/logmill'))) symlinkSync(repository, join(shop, 'node_modules/logmill'), 'dir');
console.log('compiling examples/shop with tspc and the logmill transformer ...');
execFileSync(process.execPath, [join(repository, 'node_modules/ts-patch/bin/tspc.js'), '-p', join(shop, 'tsconfig.json')], { stdio: 'inherit' });
console.log('running examples/shop/dist/main.js\n');
execFileSync(process.execPath, ['--enable-source-maps', join(shop, 'dist/main.js')], { stdio: 'inherit' });
