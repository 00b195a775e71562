# -o FILE writes the formatted fetches to FILE instead of stdout; the script's own prints stay on stdout.
"$TFG" run data/matmul_graph.tfg --fetch product -o out.txt >stdout.txt || exit 1
echo "stdout: [$(cat stdout.txt)]"
cat out.txt
"$TFG" run data/matmul_graph.tfg --fetch product,matrix2 --output out2.txt >stdout.txt || exit 1
cat out2.txt
"$TFG" run data/matmul_graph.tfg --fetch product --format json -o out.json >stdout.txt || exit 1
echo "stdout: [$(cat stdout.txt)]"
cat out.json
echo "temporary files left: $(ls -a | grep -c '^out.*\.tmp')"
