# --help, help, help COMMAND: usage on stdout, exit 0.
"$TFG" --help >h.txt; echo "--help: status $?"
for w in run check graph --version; do
  grep -q -- "$w" h.txt || echo "--help lacks $w"
done
"$TFG" help >h2.txt; echo "help: status $?"
grep -q -- "run" h2.txt || echo "help lacks run"
"$TFG" help run >h3.txt; echo "help run: status $?"
for w in --feed --fetch --state --format --output --seed --threads --device --soft-placement --log-placement --quiet; do
  grep -q -- "$w" h3.txt || echo "help run lacks $w"
done
