#!/bin/bash
# Benchmark: validate and convert a generated 50,000-component CycloneDX 1.6
# SBOM, side by side with ajv (the independent validator, same schema, same
# file) in the same run.  Prints wall time and peak RSS for each, and ratios.
#
#   bench/sbom.sh [N_COMPONENTS]     (needs a built build/trustline, GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
tl=build/trustline
ajv=deps/npm/node_modules/.bin/ajv
s=data/schema
out=bench/out
mkdir -p "$out"
[ -x "$tl" ] || { echo "build first: script/test or ninja -C build" >&2; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

python3 bench/gen_sbom.py "$n" > "$out/big.cdx.json"
echo "input: $n components, $(du -h "$out/big.cdx.json" | cut -f1)"

# run NAME TRIES CMD...: best wall time of TRIES runs and the peak RSS of the
# best.  A run is stopped after $LIMIT seconds (ajv's uniqueItems check is
# quadratic and takes far longer than that at 50,000 components).
LIMIT=${LIMIT:-180}
declare -A T M
run() {
	local name=$1 tries=$2; shift 2
	local best="" rss="" t m rc
	for _ in $(seq "$tries"); do
		rc=0
		/usr/bin/time -f '%e %M' -o "$out/time" timeout "$LIMIT" "$@" >/dev/null 2>"$out/stderr" || rc=$?
		read -r t m < <(tail -1 "$out/time")
		if [ "$rc" -eq 124 ]; then
			printf '%-34s  stopped after %d s (did not finish)\n' "$name" "$LIMIT"
			T[$name]=">$LIMIT"; return
		fi
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
	done
	T[$name]=$best; M[$name]=$rss
	printf '%-34s %8.2f s %9.1f MB\n' "$name" "$best" "$(awk "BEGIN{print $rss/1024}")"
}

run "trustline sbom validate" 3 "$tl" sbom validate "$out/big.cdx.json"
[ -x "$ajv" ] && run "ajv validate (peer)" 1 "$ajv" validate --spec=draft7 -c ajv-formats --strict=false \
	-s $s/bom-1.6.schema.json -r $s/spdx.schema.json -r $s/jsf-0.82.schema.json -d "$out/big.cdx.json"
run "trustline sbom convert -> cdx 1.6" 3 "$tl" sbom convert "$out/big.cdx.json" --to cyclonedx -o "$out/big.out.cdx.json"
run "trustline sbom convert -> spdx" 3 "$tl" sbom convert "$out/big.cdx.json" --to spdx -o "$out/big.out.spdx.json"
run "python3 json load+dump (baseline)" 3 python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2],"w"), indent=2, sort_keys=True)' "$out/big.cdx.json" "$out/big.py.json"

case "${T[ajv validate (peer)]:-}" in
'') ;;
'>'*) awk -v a="${T[ajv validate (peer)]#>}" -v b="${T[trustline sbom validate]}" \
	'BEGIN{printf "validate: trustline is more than %.0fx the speed of ajv\n", (b > 0 ? a / b : 0)}' ;;
*) awk -v a="${T[ajv validate (peer)]}" -v b="${T[trustline sbom validate]}" \
	'BEGIN{printf "validate: trustline is %.1fx the speed of ajv\n", (b > 0 ? a / b : 0)}' ;;
esac
awk -v a="${T[python3 json load+dump (baseline)]}" -v b="${T[trustline sbom convert -> cdx 1.6]}" \
	'BEGIN{printf "convert: trustline cdx->cdx is %.1fx the speed of a python json load+dump\n", (b > 0 ? a / b : 0)}'
