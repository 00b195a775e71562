# --log-placement prints each node's device on stderr; stdout is unchanged.
"$TFG" run data/matmul_graph.tfg --log-placement --device /cpu:0 --fetch product 2>err.txt
echo "status $?"
grep -q 'MatMul' err.txt && echo "names MatMul"
grep -qi 'cpu:0' err.txt && echo "names the CPU"
"$TFG" run data/matmul_graph.tfg --fetch product 2>err2.txt >/dev/null
[ -s err2.txt ] && echo "stderr without --log-placement: $(cat err2.txt)"
echo done
