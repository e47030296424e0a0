#!/usr/bin/env node
/**
 * `pulumi-resource-wallaroo`: the plugin as an executable, for PATH. The CLI finds it there and runs
 * `pulumi-resource-wallaroo [--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>`, then
 * reads the port from the first line; main.ts does the rest.
 */
import "./main";
