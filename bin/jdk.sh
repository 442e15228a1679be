# Sourced by ./mvnw and bin/demo: finds a JDK of version 22 or later (the FFM API is final
# since 22) and exports it as JAVA_HOME, or stops with a message saying what to install.
# Order: $JAVA_HOME, then the usual install places, then the java on PATH.

ffmnet_jdk_version() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
  fi
}

ffmnet_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
           "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v javac >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v javac)"); candidates+=("${c%/bin/javac}")
  fi
  for c in "${candidates[@]}"; do
    v=$(ffmnet_jdk_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  {
    echo "ffm-net needs a JDK of version 22 or later (it uses the FFM API, final since Java 22)."
    echo "Looked at: JAVA_HOME=${JAVA_HOME:-<unset>}, /usr/lib/jvm, /opt/java, ~/.sdkman, and javac on PATH."
    echo "Install one (for example 'apt-get install openjdk-25-jdk' or a Temurin 25 build) or set JAVA_HOME to it."
  } >&2
  return 1
}
