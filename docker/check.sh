#!/usr/bin/env bash
# Checks the container recipe in docker/ without any container runtime (CI has none, and no image registry):
#   1. compose.yaml parses as YAML and has the expected services, secret, volume, health checks and ports;
#   2. the Dockerfile's KEYCLOAK_VERSION equals <keycloak.version> in pom.xml;
#   3. every Keycloak option the Dockerfile and compose.yaml pass is one Keycloak accepts: the real server
#      distribution of that version runs `kc.sh build` with the Dockerfile's build options and our jar in
#      providers/, then `kc.sh start --optimized --dry-run` (validates, starts nothing, binds no port) for each
#      Keycloak service, once with its environment as compose passes it and once with each KC_ variable given as
#      the command-line option of the same name (Keycloak ignores unknown KC_ variables but rejects unknown options);
#   4. the Keycloak health check command passes against a server answering 200 and fails on 503 or no server;
#   5. entrypoint.sh hands the KEK file's content to kc.sh as the extension's kek option and stops on a bad file.
# Prints one line per check and "docker: N passed, N failed"; exits non-zero when any check fails.
# Works in a temporary folder it removes. Needs: the jar built (./mvnw -B -ntp -DskipTests package), bash,
# python3 with PyYAML (Debian's python3-yaml, installed with apt-get when missing and running as root), a JDK 17+,
# the Maven Wrapper (fetches the distribution once).
#
# Usage: docker/check.sh [FOLDER]   FOLDER holds Dockerfile, compose.yaml, entrypoint.sh (default: docker/);
#                                   give a modified copy to try a change.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dir="$(cd "${1:-$here}" && pwd)" || { echo "no folder ${1:-}" >&2; exit 2; }
started=$SECONDS
passed=0
failed=0
tmp="$(mktemp -d "${TMPDIR:-/tmp}/docker-check.XXXXXX")"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

result() { # result <ok|FAIL> <n> <text> [details file]
  local status=$1 n=$2 text=$3 details=${4:-}
  printf '%-4s %s %s (%d s)\n' "$status" "$n" "$text" "$((SECONDS - t0))"
  if [ "$status" = ok ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    if [ -n "$details" ] && [ -s "$details" ]; then sed 's/^/       /' "$details"; fi
  fi
}

# --- python3 with PyYAML ------------------------------------------------------------------------------------------
py=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
    py="$candidate"; break
  fi
done
if [ -z "$py" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "....   installing Debian's python3-yaml (PyYAML) with apt-get"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-yaml \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-yaml; }; } \
    >"$tmp/apt.log" 2>&1
  /usr/bin/python3 -c 'import yaml' 2>/dev/null && py=/usr/bin/python3
fi
if [ -z "$py" ]; then
  echo "FAIL no python3 with PyYAML (apt-get install python3-yaml)" >&2
  exit 1
fi

# --- the helper that reads the files -------------------------------------------------------------------------------
cat >"$tmp/recipe.py" <<'PY'
"""Reads compose.yaml, the Dockerfile and entrypoint.sh; writes what check.sh runs into an output folder."""
import base64, json, os, re, shlex, sys
import yaml

problems = []
def problem(text):
    problems.append(text)

def finish():
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)

VAR = re.compile(r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")

def interpolate(value, where):
    """Compose's variable substitution, with nothing exported (what a user gets without setting anything)."""
    if not isinstance(value, str):
        return value
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group("braced") or m.group("plain")
        op, arg = m.group("op"), m.group("arg")
        current = os.environ.get("COMPOSE_CHECK_" + name)
        if op in (":-", "-"):
            return current if current else arg
        if op in (":?", "?"):
            if current:
                return current
            problem(f"{where}: needs ${{{name}}} exported ({arg})")
            return ""
        if op in (":+", "+"):
            return arg if current else ""
        return current or ""
    return VAR.sub(sub, value)

def env_of(service, name):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): interpolate("" if v is None else str(v), f"{name}.environment.{k}") for k, v in env.items()}

def compose(path, out):
    with open(path) as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        problem("no services")
        finish()
    services = doc["services"]
    for name in ("postgres", "keycloak-1", "keycloak-2"):
        if name not in services:
            problem(f"service {name} missing")
    if problems:
        finish()

    pg = services["postgres"]
    image = str(pg.get("image", ""))
    if not re.fullmatch(r"postgres:\d+(\.\d+)?(-[a-z0-9.]+)?", image):
        problem(f"postgres: image '{image}' is not the official postgres image pinned to a major version")
    test = pg.get("healthcheck", {}).get("test", [])
    if "pg_isready" not in (test if isinstance(test, str) else " ".join(map(str, test))):
        problem("postgres: the health check does not use pg_isready")
    volumes = doc.get("volumes") or {}
    mounts = [str(v).split(":") for v in pg.get("volumes", []) if isinstance(v, str)]
    if not any(m[0] in volumes and m[1] == "/var/lib/postgresql/data" for m in mounts if len(m) >= 2):
        problem("postgres: /var/lib/postgresql/data is not on a named volume declared under volumes:")
    pg_env = env_of(pg, "postgres")

    secrets = doc.get("secrets") or {}
    if (secrets.get("llm-kek") or {}).get("file") != "./secrets/llm-kek":
        problem("secret llm-kek must come from the file ./secrets/llm-kek (docker/secrets/llm-kek)")

    keycloaks = [n for n, s in services.items() if isinstance(s, dict) and (s.get("build") or {}).get("dockerfile")]
    if sorted(keycloaks) != ["keycloak-1", "keycloak-2"]:
        problem(f"expected exactly keycloak-1 and keycloak-2 built from the Dockerfile, found {keycloaks}")
    host_ports = []
    images = set()
    for name in keycloaks:
        s = services[name]
        build = s["build"]
        if build.get("context") != ".." or build.get("dockerfile") != "docker/Dockerfile":
            problem(f"{name}: build must be context '..' (the repository root) and dockerfile 'docker/Dockerfile'")
        images.add(s.get("image"))
        env = env_of(s, name)
        if "KC_SPI_LLM_GATEWAY__DEFAULT__KEK" in env:
            problem(f"{name}: the KEK must not be in the environment (it comes from the llm-kek secret)")
        if env.get("LLM_GATEWAY_KEK_FILE") != "/run/secrets/llm-kek":
            problem(f"{name}: LLM_GATEWAY_KEK_FILE must be /run/secrets/llm-kek")
        if "llm-kek" not in [x if isinstance(x, str) else x.get("source") for x in s.get("secrets", [])]:
            problem(f"{name}: does not mount the llm-kek secret")
        url = env.get("KC_DB_URL", "")
        if not re.match(r"jdbc:postgresql://postgres(:5432)?/" + re.escape(pg_env.get("POSTGRES_DB", "")) + r"$", url):
            problem(f"{name}: KC_DB_URL '{url}' does not point at the postgres service's database")
        if env.get("KC_DB_USERNAME") != pg_env.get("POSTGRES_USER") or env.get("KC_DB_PASSWORD") != pg_env.get("POSTGRES_PASSWORD"):
            problem(f"{name}: KC_DB_USERNAME/KC_DB_PASSWORD differ from the postgres service's user/password")
        if "KC_HTTP_MANAGEMENT_PORT" in env:
            problem(f"{name}: the health check expects the management port 9000")
        deps = s.get("depends_on") or {}
        if not isinstance(deps, dict) or not any(v.get("condition") == "service_healthy" for v in deps.values()):
            problem(f"{name}: must wait for a healthy dependency (depends_on ... condition: service_healthy)")
        hc = s.get("healthcheck") or {}
        test = hc.get("test")
        if not (isinstance(test, list) and test[:3] == ["CMD", "bash", "-c"] and len(test) == 4):
            problem(f"{name}: the health check must be [CMD, bash, -c, <script>]")
        else:
            script = interpolate(test[3], f"{name}.healthcheck")
            if "/dev/tcp/127.0.0.1/9000" not in script or "/health/ready" not in script:
                problem(f"{name}: the health check must ask 127.0.0.1:9000 for /health/ready")
            with open(os.path.join(out, f"health.{name}"), "w") as f:
                f.write(script)
        for p in s.get("ports", []):
            parts = str(p).split(":")
            if len(parts) == 3 and parts[2] == "8080":
                host_ports.append(parts[1])
        command = s.get("command")
        if command is not None:
            command = shlex.split(command) if isinstance(command, str) else [str(c) for c in command]
        with open(os.path.join(out, f"command.{name}"), "w") as f:
            f.write("" if command is None else "\n".join(command) + "\n")
        with open(os.path.join(out, f"env.{name}"), "w") as f:
            for k, v in env.items():
                if "\n" in v:
                    problem(f"{name}: {k} has a line break")
                f.write(f"{k}={v}\n")
    if len(images) != 1 or None in images:
        problem(f"keycloak-1 and keycloak-2 must name one image, found {sorted(map(str, images))}")
    if sorted(host_ports) != ["8080", "8081"]:
        problem(f"the nodes' HTTP port 8080 must be published on host ports 8080 and 8081, found {host_ports}")
    with open(os.path.join(out, "keycloak-services"), "w") as f:
        f.write("\n".join(keycloaks) + "\n")
    finish()

def dockerfile(path, out):
    lines, current = [], ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                current += line[:-1] + " "
                continue
            lines.append(current + line)
            current = ""
    global_args, stages = {}, []
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "ARG" and not stages:
            k, _, v = rest.partition("=")
            global_args[k] = v
        elif keyword == "FROM":
            stages.append({"from": rest, "env": {}, "build": None, "copy": [], "cmd": None, "entrypoint": None})
        elif not stages:
            problem(f"{keyword} before the first FROM")
        elif keyword == "ENV":
            words = shlex.split(rest)
            if words and "=" not in words[0]:
                stages[-1]["env"][words[0]] = " ".join(words[1:])
            else:
                for w in words:
                    k, _, v = w.partition("=")
                    stages[-1]["env"][k] = v
        elif keyword == "RUN" and "kc.sh build" in rest:
            words = shlex.split(rest)
            stages[-1]["build"] = words[words.index("build") + 1:]
        elif keyword == "COPY":
            stages[-1]["copy"].append(shlex.split(rest))
        elif keyword in ("CMD", "ENTRYPOINT"):
            try:
                value = json.loads(rest)
            except ValueError:
                problem(f"{keyword} must use the JSON (exec) form")
                value = []
            stages[-1][keyword.lower()] = value
    version = global_args.get("KEYCLOAK_VERSION", "")
    if not version:
        problem("no ARG KEYCLOAK_VERSION=<version> before the first FROM")
    if len(stages) != 2:
        problem(f"expected 2 stages (builder, final), found {len(stages)}")
        finish()
    builder, final = stages
    for s in stages:
        image = s["from"].split()[0]
        if image != "keycloak/keycloak:${KEYCLOAK_VERSION}":
            problem(f"FROM {image}: both stages must be keycloak/keycloak:${{KEYCLOAK_VERSION}} (no registry host)")
    if not builder["from"].endswith(" AS builder"):
        problem("the first stage must be named 'AS builder'")
    if builder["build"] is None:
        problem("the builder stage does not run /opt/keycloak/bin/kc.sh build")
    jars = [c for c in builder["copy"] if c and c[-1] == "/opt/keycloak/providers/"]
    if len(jars) != 1 or len(jars[0]) != 2:
        problem("the builder stage must COPY the extension jar (one source) into /opt/keycloak/providers/")
    if not any(c[:1] == ["--from=builder"] and c[1:] == ["/opt/keycloak/", "/opt/keycloak/"] for c in final["copy"]):
        problem("the final stage must COPY --from=builder /opt/keycloak/ /opt/keycloak/")
    if (final["cmd"] or [])[:1] != ["start"] or "--optimized" not in (final["cmd"] or []):
        problem(f"CMD must be start --optimized, found {final['cmd']}")
    if not final["entrypoint"]:
        problem("no ENTRYPOINT in the final stage")
    ignore = path + ".dockerignore"
    if os.path.exists(ignore):
        with open(ignore) as f:
            kept = {l.strip()[1:] for l in f if l.strip().startswith("!")}
        for s in stages:
            for c in s["copy"]:
                if any(w.startswith("--from") for w in c):
                    continue
                for src in [w for w in c[:-1] if not w.startswith("--")]:
                    if src not in kept:
                        problem(f"COPY {src}: not let through by {os.path.basename(ignore)} (add !{src})")
    def write(name, items):
        with open(os.path.join(out, name), "w") as f:
            f.write("".join(f"{i}\n" for i in items))
    write("version", [version])
    write("jar-glob", [jars[0][0]] if jars else [])
    write("build-args", (builder["build"] or []) + [f"{env_to_option(k)}={v}" for k, v in builder["env"].items() if k.startswith("KC_")])
    write("final-env", [f"{k}={v}" for k, v in final["env"].items()])
    write("cmd", final["cmd"] or [])
    finish()

def env_to_option(name):
    """KC_SPI_LLM_GATEWAY__DEFAULT__KEK -> --spi-llm-gateway--default--kek (Keycloak's mapping of KC_ variables)."""
    return "--" + name[3:].lower().replace("__", "\0").replace("_", "-").replace("\0", "--")

def entrypoint_env(path, out):
    """KC_ variables that the entry point exports, with a value of the right form."""
    with open(path) as f:
        names = sorted(set(re.findall(r"export\s+(KC_[A-Z0-9_]+)=", f.read())))
    sample = base64.b64encode(bytes(32)).decode()
    with open(os.path.join(out, "entrypoint-env"), "w") as f:
        f.write("".join(f"{n}={sample}\n" for n in names))

def options(factory, spi_name, *files):
    """Turns KC_ variables and --options into command-line options; checks SPI options against our factory."""
    with open(factory) as f:
        source = f.read()
    known = set(re.findall(r'static final String [A-Z_]+ = "([a-z0-9-]+)";', source))
    provider = re.search(r'PROVIDER_ID = "([a-z0-9-]+)"', source).group(1)
    result = []
    for path in files:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                if line.startswith("--"):
                    option = line
                elif line.startswith("KC_"):
                    k, _, v = line.partition("=")
                    option = f"{env_to_option(k)}={v}"
                else:
                    continue  # not a Keycloak option (LLM_GATEWAY_KEK_FILE, JAVA_OPTS_APPEND, ...)
                name = option.split("=", 1)[0]
                if name.startswith("--spi-"):
                    m = re.fullmatch(r"--spi-(.+?)--(.+?)--(.+)", name)
                    if not m or m.group(1) != spi_name or m.group(2) != provider or m.group(3) not in known:
                        problem(f"{name} ({line.split('=', 1)[0]}): not an option of our SPI {spi_name}/{provider} "
                                f"({', '.join(sorted(known - {provider}))}); Keycloak does not check SPI option names")
                result.append(option)
    print("\n".join(result))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        sys.exit(1)

if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"compose": compose, "dockerfile": dockerfile, "entrypoint-env": entrypoint_env, "options": options}[command](*args)
PY

out="$tmp/recipe"
mkdir -p "$out"

# --- 1. compose.yaml -----------------------------------------------------------------------------------------------
t0=$SECONDS
if "$py" "$tmp/recipe.py" compose "$dir/compose.yaml" "$out" >"$tmp/1.txt" 2>&1; then
  if ! grep -qx 'secrets/' "$dir/.gitignore" 2>/dev/null; then
    echo "docker/.gitignore must list secrets/" >"$tmp/1.txt"
    result FAIL 1 "compose.yaml: structure" "$tmp/1.txt"
  else
    result ok 1 "compose.yaml: parses; postgres (pinned, pg_isready, named volume), keycloak-1 and keycloak-2 from the Dockerfile on it, llm-kek secret, health checks, ports 8080/8081"
  fi
else
  result FAIL 1 "compose.yaml: structure" "$tmp/1.txt"
fi

# --- 2. Keycloak version -------------------------------------------------------------------------------------------
t0=$SECONDS
pom_version="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' "$root/pom.xml" | head -1)"
if "$py" "$tmp/recipe.py" dockerfile "$dir/Dockerfile" "$out" >"$tmp/2.txt" 2>&1; then
  kc_version="$(cat "$out/version")"
  if [ "$kc_version" = "$pom_version" ]; then
    result ok 2 "Dockerfile: KEYCLOAK_VERSION $kc_version = <keycloak.version> in pom.xml; two stages as Keycloak's container guide shows; its COPY sources pass Dockerfile.dockerignore"
  else
    echo "Dockerfile KEYCLOAK_VERSION '$kc_version', pom.xml <keycloak.version> '$pom_version'" >"$tmp/2.txt"
    kc_version=""  # check 3 would test a distribution the project does not use
    result FAIL 2 "Dockerfile: KEYCLOAK_VERSION differs from pom.xml" "$tmp/2.txt"
  fi
else
  kc_version=""
  result FAIL 2 "Dockerfile: structure" "$tmp/2.txt"
fi

# --- 3. every option against the real distribution -----------------------------------------------------------------
t0=$SECONDS
check3() {
  local log="$tmp/3.txt"
  : >"$log"
  [ -n "$kc_version" ] || { echo "not run: the Keycloak version is not settled (check 2)" >>"$log"; return 1; }
  [ -s "$out/keycloak-services" ] || { echo "no Keycloak services (check 1)" >>"$log"; return 1; }

  # The jar the Dockerfile copies, from the repository root (the build context).
  local glob jars
  glob="$(cat "$out/jar-glob")"
  shopt -s nullglob
  jars=("$root"/$glob)
  shopt -u nullglob
  if [ "${#jars[@]}" -eq 0 ]; then
    echo "no $glob: build the jar first (./mvnw -B -ntp -DskipTests package)" >>"$log"
    return 1
  elif [ "${#jars[@]}" -ne 1 ]; then
    echo "the Dockerfile's COPY $glob must match exactly one jar, matches ${#jars[@]}: ${jars[*]:-}" >>"$log"
    return 1
  fi

  # The server distribution, as ./run fetches it (tar, not the dependency plugin's unpacker: long paths).
  mkdir -p "$tmp/dist" "$tmp/home"
  if ! (cd "$root" && ./mvnw -B -ntp -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:${kc_version}:tar.gz" -DoutputDirectory="$tmp/dist") \
        >"$tmp/mvn-dist.log" 2>&1; then
    { echo "fetching keycloak-quarkus-dist ${kc_version} failed:"; tail -30 "$tmp/mvn-dist.log"; } >>"$log"
    return 1
  fi
  tar xzf "$tmp/dist/keycloak-quarkus-dist-${kc_version}.tar.gz" -C "$tmp/dist" || { echo "tar failed" >>"$log"; return 1; }
  rm -f "$tmp/dist/keycloak-quarkus-dist-${kc_version}.tar.gz"
  local kc="$tmp/dist/keycloak-${kc_version}"
  cp "${jars[0]}" "$kc/providers/"

  # Our SPI's name and option names, from the extension's source (Keycloak accepts any --spi-... option name).
  local factory spi_class spi_name
  factory="$(grep -rl --include=DefaultLlmGatewayConfigFactory.java 'class DefaultLlmGatewayConfigFactory' "$root/extension/src/main/java" | head -1)"
  spi_class="$(grep -rl --include=LlmGatewaySpi.java 'class LlmGatewaySpi' "$root/extension/src/main/java" | head -1)"
  spi_name="$(sed -n 's/.*String NAME = "\(.*\)";.*/\1/p' "${spi_class:-/dev/null}")"
  if [ -z "$factory" ] || [ -z "$spi_name" ]; then
    echo "DefaultLlmGatewayConfigFactory.java or LlmGatewaySpi.java (NAME) not found under extension/src/main/java" >>"$log"
    return 1
  fi
  "$py" "$tmp/recipe.py" entrypoint-env "$dir/entrypoint.sh" "$out" >>"$log" 2>&1 || return 1

  # A clean environment: nothing of this machine's KC_ variables, only what the image and compose give.
  local base_env=(PATH="$PATH" HOME="$tmp/home" LANG=C.UTF-8)
  [ -n "${JAVA_HOME:-}" ] && base_env+=(JAVA_HOME="$JAVA_HOME")
  local bad='Unknown option|Invalid value|Unmatched argument|differ from what is persisted|will be ignored during build time|DEPRECATED|ERROR'

  # kc.sh build with the Dockerfile's build options (builder-stage KC_ variables as options too).
  local build_args=()
  "$py" "$tmp/recipe.py" options "$factory" "$spi_name" "$out/build-args" >"$tmp/build-args" 2>>"$log" || return 1
  mapfile -t build_args <"$tmp/build-args"
  if ! (cd "$kc" && timeout 600 env -i "${base_env[@]}" bin/kc.sh build "${build_args[@]}") >"$tmp/build.log" 2>&1 \
      || grep -Eq "$bad" "$tmp/build.log"; then
    { echo "kc.sh build ${build_args[*]}:"; grep -E "$bad|Failed" "$tmp/build.log" || tail -20 "$tmp/build.log"; } >>"$log"
    return 1
  fi
  if ! grep -q 'dev.llmgateway' "$tmp/build.log"; then
    { echo "kc.sh build did not load our jar (no dev.llmgateway provider in its log):"; tail -20 "$tmp/build.log"; } >>"$log"
    return 1
  fi

  # kc.sh start --optimized --dry-run, per Keycloak service: the environment compose passes, then the same as options.
  local service ok=0 runs=0
  while IFS= read -r service; do
    local cmd=() env_vars=() as_options=()
    mapfile -t cmd <"$out/command.$service"
    [ "${#cmd[@]}" -gt 0 ] || mapfile -t cmd <"$out/cmd"
    mapfile -t env_vars < <(cat "$out/final-env" "$out/env.$service" "$out/entrypoint-env")
    if ! "$py" "$tmp/recipe.py" options "$factory" "$spi_name" \
          "$out/final-env" "$out/env.$service" "$out/entrypoint-env" >"$tmp/options" 2>"$tmp/opt.err"; then
      { echo "$service:"; cat "$tmp/opt.err"; } >>"$log"; ok=1; continue
    fi
    mapfile -t as_options <"$tmp/options"
    runs=$((runs + 2))
    if ! (cd "$kc" && timeout 300 env -i "${base_env[@]}" "${env_vars[@]}" bin/kc.sh "${cmd[@]}" --dry-run) >"$tmp/run.log" 2>&1 \
        || grep -Eq "$bad" "$tmp/run.log"; then
      { echo "$service, environment as compose passes it: kc.sh ${cmd[*]} --dry-run:"; grep -Ev '^\s*$' "$tmp/run.log" | head -20; } >>"$log"; ok=1
    fi
    if ! (cd "$kc" && timeout 300 env -i "${base_env[@]}" bin/kc.sh "${cmd[@]}" --dry-run "${as_options[@]}") >"$tmp/run.log" 2>&1 \
        || grep -Eq "$bad" "$tmp/run.log"; then
      { echo "$service, KC_ variables as options: kc.sh ${cmd[*]} --dry-run ${as_options[*]%%=*}:"; grep -Ev '^\s*$' "$tmp/run.log" | head -20; } >>"$log"; ok=1
    fi
  done <"$out/keycloak-services"
  [ "$ok" -eq 0 ] || return 1
  echo "build: ${build_args[*]}; $runs dry runs of ${cmd[*]}" >"$tmp/3.summary"
}
if check3; then
  result ok 3 "Keycloak $kc_version accepts every option: $(cat "$tmp/3.summary")"
else
  result FAIL 3 "Keycloak options: the distribution rejected or ignored one, or could not be run" "$tmp/3.txt"
fi

# --- 4. the health check command -----------------------------------------------------------------------------------
t0=$SECONDS
check4() {
  local log="$tmp/4.txt" service script port
  : >"$log"
  cat >"$tmp/health-server.py" <<'PY'
import http.server, sys
status = int(sys.argv[1])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"status": "UP"}' if status == 200 else b'{"status": "DOWN"}'
        self.send_response(status if self.path == "/health/ready" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(http.server.HTTPServer):
    def handle_error(self, request, client_address):
        pass  # the health check hangs up after the status line
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
  for service in $(cat "$out/keycloak-services" 2>/dev/null); do
    [ -f "$out/health.$service" ] || { echo "$service: no health check script" >>"$log"; return 1; }
    for status in 200 503 none; do
      local pid="" want=1
      if [ "$status" = none ]; then
        port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
      else
        exec 4< <(exec "$py" "$tmp/health-server.py" "$status" 2>/dev/null)
        pid=$!
        IFS= read -r -t 10 port <&4
        [ "$status" = 200 ] && want=0
      fi
      script="$(sed "s#/dev/tcp/127.0.0.1/9000#/dev/tcp/127.0.0.1/$port#" "$out/health.$service")"
      local got=0
      timeout 15 bash -c "$script" >/dev/null 2>&1 || got=1
      [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exec 4<&-; }
      if [ "$got" -ne "$want" ]; then
        echo "$service: the health check $([ "$want" -eq 0 ] && echo failed || echo passed) against $status" >>"$log"
        return 1
      fi
    done
  done
}
if check4; then
  result ok 4 "health checks: pass on /health/ready 200, fail on 503 and on a closed port"
else
  result FAIL 4 "health checks" "$tmp/4.txt"
fi

# --- 5. the entry point ------------------------------------------------------------------------------------------
t0=$SECONDS
check5() {
  local log="$tmp/5.txt" ep="$tmp/entrypoint" kek out
  : >"$log"
  mkdir -p "$ep"
  # entrypoint.sh with its kc.sh replaced by a stub that prints what it was given.
  printf '#!/bin/bash\nprintf "args=%%s\\n" "$*"\nprintf "kek=%%s\\n" "${KC_SPI_LLM_GATEWAY__DEFAULT__KEK-unset}"\nprintf "file=%%s\\n" "${LLM_GATEWAY_KEK_FILE-unset}"\n' >"$ep/kc.sh"
  chmod +x "$ep/kc.sh"
  sed "s#/opt/keycloak/bin/kc.sh#$ep/kc.sh#" "$dir/entrypoint.sh" >"$ep/entrypoint.sh"
  grep -q "$ep/kc.sh" "$ep/entrypoint.sh" || { echo "entrypoint.sh does not exec /opt/keycloak/bin/kc.sh" >>"$log"; return 1; }
  kek="$(head -c 32 /dev/urandom | base64)"
  printf '%s\n' "$kek" >"$ep/kek"
  out="$(env -i PATH="$PATH" LLM_GATEWAY_KEK_FILE="$ep/kek" bash "$ep/entrypoint.sh" start --optimized 2>&1)"
  [ "$out" = "$(printf 'args=start --optimized\nkek=%s\nfile=unset' "$kek")" ] \
    || { echo "with a KEK file, kc.sh got: $out" | sed "s#$kek#<the key>#" >>"$log"; return 1; }
  out="$(env -i PATH="$PATH" bash "$ep/entrypoint.sh" start --optimized 2>&1)"
  [ "$out" = "$(printf 'args=start --optimized\nkek=unset\nfile=unset')" ] \
    || { echo "without LLM_GATEWAY_KEK_FILE, kc.sh got: $out" >>"$log"; return 1; }
  : >"$ep/empty"
  for file in "$ep/missing" "$ep/empty"; do
    if out="$(env -i PATH="$PATH" LLM_GATEWAY_KEK_FILE="$file" bash "$ep/entrypoint.sh" start 2>&1)" \
        || [[ "$out" == *args=* ]] || [[ "$out" != *llm-gateway:* ]]; then
      echo "with LLM_GATEWAY_KEK_FILE=$(basename "$file") it did not stop with a message: $out" >>"$log"; return 1
    fi
  done
}
if check5; then
  result ok 5 "entrypoint.sh: hands the secret file's KEK to kc.sh as KC_SPI_LLM_GATEWAY__DEFAULT__KEK with the container's arguments; stops on a missing or empty file"
else
  result FAIL 5 "entrypoint.sh" "$tmp/5.txt"
fi

echo "docker: checks took $((SECONDS - started)) s"
echo "docker: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
