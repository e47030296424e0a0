// The plugin folder's entry ("main"): the server, from the pulumi-wallaroo package that holds this
// folder (node_modules/pulumi-wallaroo/plugin) or that `pulumi plugin install` installed beside it
// (package.json "dependencies"). By package name, so both layouts resolve it.
require("pulumi-wallaroo/dist/plugin/main");
