#!/usr/bin/env node
// Entry point for the `alsa-spec` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
