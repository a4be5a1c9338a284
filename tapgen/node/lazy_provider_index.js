// Preloaded into the jsii Node runtime (NODE_OPTIONS --require, set by tapgen/__init__.py).
//
// @cdktf/provider-aws's lib/index.js requires all of its ~2,100 submodules eagerly
// (`exports.s3Bucket = require("./s3-bucket");`, one line each): about 2 s of every synth, though
// a stack uses a few dozen. This compiles that one file with lazy getters instead: the same
// exports, each required on first use and then kept as a plain value. It is the Node-side twin of
// tapgen/aws.py, which skips the Python package's eager __init__. Any other file, or an index
// whose lines do not have that exact shape, is compiled unchanged: slower, never different.
"use strict";
const Module = require("module");

const PROVIDER_INDEX = /[\\/]@cdktf[\\/]provider-aws[\\/](.*[\\/])?lib[\\/]index\.js$/;
const EAGER_EXPORT = /^exports\.([A-Za-z_$][A-Za-z0-9_$]*) = require\("(\.\/[A-Za-z0-9_.\/-]+)"\);$/;

function lazyGetter(name, target) {
  const key = JSON.stringify(name);
  const path = JSON.stringify(target);
  return (
    `Object.defineProperty(exports, ${key}, { enumerable: true, configurable: true, get() {` +
    ` const value = require(${path});` +
    ` Object.defineProperty(exports, ${key}, { enumerable: true, writable: true, value }); return value; } });`
  );
}

function lazyIndex(content) {
  const kept = [];
  const lazy = [];
  for (const line of content.split("\n")) {
    const match = EAGER_EXPORT.exec(line);
    if (match) lazy.push(lazyGetter(match[1], match[2]));
    else kept.push(line);
  }
  return lazy.length === 0 ? content : `${kept.join("\n")}\n${lazy.join("\n")}\n`;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function compileLazily(content, filename) {
  return compile.call(this, PROVIDER_INDEX.test(filename) ? lazyIndex(content) : content, filename);
};
