// The test loop runs what is in the working tree: an edit to the transformer is tested by the next
// `npx vitest run`, with no build in between. Only the published-package tests (ts-patch routes,
// bundler plugins, installed tarballs) load dist/.
import { describe, expect, it } from 'vitest';
import * as transformerSource from '../transformer/index.js';
import * as moduleTransformSource from '../transformer/transform-module.js';
import { logmillTransformer } from './helpers/compile.js';

describe('the test loop', () => {
  it('compiles fixtures with the transformer from its sources, not from a build', () => {
    expect(logmillTransformer).toBe(transformerSource.default);
  });

  it('gives the differential corpus the module transform from its sources', async () => {
    const runner = await import('./semantics/corpus-runner.js');
    expect(runner.moduleTransformerFactory).toBe(moduleTransformSource.createModuleTransformer);
  });
});
