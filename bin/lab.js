#!/usr/bin/env node
// Runs the lab's command line through tsx.
import { register } from "tsx/esm/api";

register();
await import("../test/lab/lab-cli.ts");
