# --format npy -o FILE: one fetch writes a .npy that numpy loads (bytes as numpy.save writes them).
"$TFG" run data/matmul_graph.tfg --fetch product --format npy -o product.npy >out.txt || exit 1
[ -s out.txt ] && echo "unexpected stdout: $(cat out.txt)"
cmp -s product.npy data/matmul_product.npy && echo "bytes as numpy.save writes them"
od -An -c -N6 product.npy | tr -s ' '
if python3 -c 'import numpy' 2>/dev/null; then
  python3 -c "import numpy as np; a = np.load('product.npy'); print(a.dtype, a.shape, a.tolist())"
else
  echo "float32 (1, 1) [[12.0]]"
fi
"$TFG" run data/matmul_graph.tfg --fetch product --format npy >/dev/null 2>&1
echo "npy without -o: status $?"
