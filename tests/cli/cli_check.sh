# tfg check FILE: parse, build and shape-check, run nothing.
"$TFG" check data/matmul_graph.tfg
echo "status $?"
"$TFG" check data/shape_error.tfg >out.txt 2>err.txt
echo "shape error: status $?"
grep -q 'data/shape_error.tfg:5:11: error:' err.txt && echo "located"
grep -q "Dimensions must be equal, but are 2 and 3 for 'MatMul' (op: 'MatMul') with input shapes: \[1,2\], \[3,1\]." err.txt && echo "TF's message"
"$TFG" check nosuch.tfg >/dev/null 2>&1
echo "missing file: status $?"
