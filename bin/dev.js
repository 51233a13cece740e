#!/usr/bin/env -S node --import tsx
// Runs the plugin straight from src/ (no build) and loads the devPlugins (command snapshots, schemas).
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
