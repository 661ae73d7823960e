#!/usr/bin/env bash
# Installs what the editor end-to-end tests drive: code-server (VS Code in a browser) under the
# Node 24 it requires, both from the npm registry, into a cache folder that git ignores. A second
# run with everything in place does nothing, so CI pays for the install once per machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE="$PWD/.cache/e2e"
NODE_DIR="$CACHE/node$NODE_MAJOR"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
DONE="$CS_DIR/.installed"

if [ -f "$DONE" ]; then exit 0; fi

# kerberos, one of VS Code's native modules, builds against the Kerberos headers.
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq libkrb5-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libkrb5-dev >/dev/null; }
fi

# Node 24, from the npm package `node` (it ships the binary and the headers native builds need).
if [ ! -x "$NODE_DIR/node_modules/node/bin/node" ]; then
  mkdir -p "$NODE_DIR"
  echo "{\"name\":\"flowc-e2e-node\",\"private\":true,\"allowScripts\":{\"node\":true}}" > "$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --save-exact "node@$NODE_MAJOR")
fi
NODE_HOME="$(ls -d "$NODE_DIR"/node_modules/node/node_modules/node-linux-* | head -1)"
"$NODE_HOME/bin/node" --version >/dev/null

# code-server, built by npm running under Node 24 against Node 24's headers.
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cat > "$CS_DIR/package.json" <<JSON
{ "name": "flowc-e2e-code-server", "private": true,
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
(
  cd "$CS_DIR"
  # Run as `npm run test:e2e`, this script inherits the outer npm's settings as npm_config_*
  # variables, among them the user agent naming Node 20, which code-server's install check
  # reads: the inner npm, under Node 24, must start from its own settings.
  for v in $(compgen -e | grep '^npm_config_'); do unset "$v"; done
  export PATH="$NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$NODE_HOME"
  npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"
)
touch "$DONE"
echo "code-server $CODE_SERVER_VERSION installed in $CS_DIR"
