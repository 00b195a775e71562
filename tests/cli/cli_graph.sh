# tfg graph FILE: the graph as Graphviz DOT on stdout, name scopes as clusters.
"$TFG" graph data/scoped_graph.tfg >g.dot
echo "status $?"
grep -q 'digraph' g.dot && echo "digraph"
grep -q 'cluster' g.dot && echo "cluster"
for n in x layer/W layer/MatMul layer/Add out; do
  grep -q "$n" g.dot && echo "node $n"
done
grep -q -- '->' g.dot && echo "edges"
"$TFG" graph data/shape_error.tfg >/dev/null 2>&1
echo "shape error: status $?"
