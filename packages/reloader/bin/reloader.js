#!/usr/bin/env node
// Thin launcher so the bin works right after `npm run build` (dist/ is not present at install time).
import "../dist/cli.js";
