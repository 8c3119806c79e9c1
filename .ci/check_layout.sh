#!/usr/bin/env bash
# Checks the rules of docs/DESIGN.md that a reader would otherwise have to remember:
#   1. no file includes another module's impl/ (a unit test may include its own module's);
#   2. includes follow the dependency direction between areas;
#   3. each third-party library is included only by its adapter module;
#   4. every function returning Status / StatusOr is [[nodiscard]];
#   5. the C++ sources are clang-format clean.
# Prints every violation as file:line: rule: detail, and exits 1 if there is any.
# Usage: .ci/check_layout.sh            (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t sources < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp' |
  grep -v -e '/node_modules/' -e '^build' | while read -r f; do [ -f "$f" ] && echo "$f"; done)

violations=0
report() {
  echo "$1"
  violations=$((violations + 1))
}

# The module of a source file: its folder, or the folder above impl/.
module_of() {
  local path="$1"
  if [[ "$path" == */impl/* ]]; then echo "${path%%/impl/*}"; else dirname "$path"; fi
}

# Which of our top-level areas a file may include, by the including file's module
# (docs/DESIGN.md, "Dependency direction"). Generated *.pb.h headers are allowed everywhere.
allowed_areas() {
  case "$1" in
    common/channelconfig*) echo "common msp" ;;  # a bundle builds its orgs' MSPs (DESIGN.md)
    common*) echo "common" ;;
    msp*) echo "common msp" ;;
    orderer*) echo "common msp orderer" ;;
    peer/cli* | peer/gateway* | peer/node*) echo "common msp peer client-sdk" ;;
    peer*) echo "common msp peer" ;;
    client-sdk*) echo "common msp client-sdk" ;;
    chaincode-sdk*) echo "chaincode-sdk" ;;
    tools/bench*) echo "common msp orderer peer client-sdk chaincode-sdk tools tests" ;;  # data from tests/support; the shim bench
    tools*) echo "common msp orderer peer client-sdk tools" ;;
    tests*) echo "common msp orderer peer client-sdk chaincode-sdk tools tests" ;;
    proto*) echo "" ;;
    *) echo "common msp orderer peer client-sdk chaincode-sdk tools" ;;
  esac
}

# Third-party headers and the modules allowed to include them (path prefixes).
declare -A third_party=(
  ["leveldb/"]="common/ledger/kvstore"
  ["yaml-cpp/"]="common/config"
  ["librdkafka/"]="orderer/consensus/kafka tests/kafka"
  ["openssl/"]="common/crypto common/ops"
  ["archive.h"]="peer/chaincode_package"
  ["archive_entry.h"]="peer/chaincode_package"
  ["httplib.h"]="common/ops orderer/node tools/osnadmin tests"
  ["grpcpp/"]="common/grpc orderer/node peer/node peer/chaincode_support peer/deliver_client client-sdk chaincode-sdk tools tests"
)

for file in "${sources[@]}"; do
  module=$(module_of "$file")
  allowed=" $(allowed_areas "$module") "
  while IFS= read -r hit; do
    line=${hit%%:*}
    include=${hit#*:}
    include=${include#*[\"<]}
    include=${include%%[\">]*}
    [[ "$include" == *.pb.h ]] && continue
    if [[ "$include" == */impl/* ]]; then
      owner=${include%%/impl/*}
      if [[ "$owner" != "$module" && "$module" != "tests/unit/$owner" ]]; then
        report "$file:$line: impl: includes $include, private to $owner"
      fi
    fi
    area=${include%%/*}
    case "$area" in
      common | msp | orderer | peer | client-sdk | chaincode-sdk | tools | tests)
        if [[ "$allowed" != *" $area "* ]]; then
          report "$file:$line: direction: $module may not include $include"
        fi
        ;;
    esac
    for prefix in "${!third_party[@]}"; do
      [[ "$include" == "$prefix"* ]] || continue
      ok=0
      for owner in ${third_party[$prefix]}; do
        [[ "$file" == "$owner"/* ]] && ok=1
      done
      [ "$ok" -eq 1 ] || report "$file:$line: third-party: $include belongs in ${third_party[$prefix]}"
    done
  done < <(grep -n -E '^\s*#\s*include\s*[<"]' "$file" | sed -E 's/^([0-9]+):.*#\s*include\s*/\1:/')
done

# [[nodiscard]]: a declaration or definition whose return type is Status or StatusOr<...>.
# Out-of-line member definitions (Type Class::Name) take it from their declaration.
status_return='^\s*((static|virtual|inline|constexpr|explicit)\s+)*(::)?((absl|weft)::)?(Status|StatusOr<.*>)\s+~?[A-Za-z_]\w*\s*\('
while IFS= read -r hit; do
  report "${hit%%:*}:$(cut -d: -f2 <<<"$hit"): nodiscard: a function returning Status lacks [[nodiscard]]"
done < <(grep -n -H -P "$status_return" "${sources[@]}" | grep -v -F '[[nodiscard]]' || true)

# clang-format: the version setup.sh installs, with the repository's .clang-format.
formatter=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$formatter" ]; then
  report "clang-format: clang-format-14 is not installed (deploy/setup.sh installs it)"
else
  while IFS= read -r unformatted; do
    report "$unformatted: format: not clang-format clean (run: $formatter -i $unformatted)"
  done < <("$formatter" --dry-run "${sources[@]}" 2>&1 |
    sed -n -E 's/^([^:]+):[0-9]+:[0-9]+: (warning|error): code should be clang-formatted.*/\1/p' |
    sort -u)
fi

if [ "$violations" -gt 0 ]; then
  echo "check_layout: $violations violation(s) of docs/DESIGN.md's rules" >&2
  exit 1
fi
echo "check_layout: ${#sources[@]} files follow the layout, dependency, nodiscard and format rules"
