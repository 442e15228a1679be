#!/usr/bin/env bash
# Builds bench/target/benchmarks.jar against the ffm-net installed in ~/.m2.
# (The repository's ./mvnw always passes -f <root>/pom.xml, so it cannot build this pom.)
#   bench/build.sh            # package the benchmarks jar
#   bench/build.sh --install  # first install the library from the working tree (skips its tests)
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
. "$root/bin/jdk.sh"
ffmnet_find_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
if [ "${1:-}" = "--install" ]; then
  "$root/mvnw" -q -B -Dmaven.test.skip=true install
fi
mvn -q -B -f "$bench/pom.xml" package
