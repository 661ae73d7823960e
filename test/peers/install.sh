#!/usr/bin/env bash
# Installs the Java test peers: for each test/peers/<peer>/pom.xml, copies the peer's jars from
# Maven Central into test/peers/.cache/<peer>/lib and compiles our launchers (<peer>/src and
# <peer>/examples-stubs) into test/peers/.cache/<peer>/classes. Idempotent: a stamp of the pom
# and sources skips a peer that is already installed. Nothing of the peers is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/.cache"

die() { echo "test/peers/install.sh: $*" >&2; exit 1; }
command -v java >/dev/null 2>&1 || die "java is not installed (apt-get install -y openjdk-17-jdk-headless)"
command -v javac >/dev/null 2>&1 || die "javac is not installed (apt-get install -y openjdk-17-jdk-headless)"
command -v mvn >/dev/null 2>&1 || die "mvn is not installed (apt-get install -y maven)"

# What a peer's install depends on: its pom and every file of ours beside it.
fingerprint() {
  local dir="$1"
  (cd "$dir" && find . -path ./target -prune -o -type f -print | LC_ALL=C sort | while read -r f; do
    printf '%s\n' "$f"; cat "$f"; done) | sha256sum | cut -d' ' -f1
}

for pom in "$here"/*/pom.xml; do
  dir="$(dirname "$pom")"
  peer="$(basename "$dir")"
  out="$cache/$peer"
  want="$(fingerprint "$dir")"
  if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$want" ]; then
    echo "peers: $peer is installed ($out)"
    continue
  fi
  echo "peers: installing $peer into $out"
  tmp="$out.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/lib" "$tmp/classes"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$dir" && mvn -B -q --no-transfer-progress -Dstyle.color=never dependency:copy-dependencies \
      -DoutputDirectory="$tmp/lib" -DincludeScope=runtime) \
    || die "maven could not fetch the jars of $peer (see above); is Maven Central reachable?"
  sources=()
  for src in "$dir/src" "$dir/examples-stubs"; do
    [ -d "$src" ] && while IFS= read -r f; do sources+=("$f"); done < <(find "$src" -name '*.java')
  done
  if [ ${#sources[@]} -gt 0 ]; then
    javac -nowarn -encoding UTF-8 -d "$tmp/classes" -cp "$tmp/lib/*" "${sources[@]}" \
      || die "javac failed on the launchers of $peer"
  fi
  [ -d "$dir/resources" ] && cp -R "$dir/resources/." "$tmp/classes/"
  echo "$want" > "$tmp/stamp"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
  echo "peers: $peer installed ($(ls "$out/lib" | wc -l) jars)"
done
