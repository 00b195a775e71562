# Usage errors: exit status 2 and a message on stderr.
t() {
  label=$1; shift
  "$TFG" "$@" >out.txt 2>err.txt
  s=$?
  if [ -s err.txt ]; then m="message"; else m="no message"; fi
  echo "$label: status $s, $m"
}
t "no arguments"
t "unknown command" frobnicate
t "unknown flag" run data/matmul_graph.tfg --frobnicate
t "malformed --feed" run data/matmul_graph.tfg --feed x --fetch product
t "malformed --feed value" run data/matmul_graph.tfg --feed 'matrix1=[[1,' --fetch product
t "run without FILE" run
t "--fetch without value" run data/matmul_graph.tfg --fetch
t "unknown --format" run data/matmul_graph.tfg --fetch product --format xml
t "--seed not a number" run data/matmul_graph.tfg --seed abc --fetch product
t "--threads not a number" run data/matmul_graph.tfg --threads many --fetch product
grep -q -- 'threads' err.txt && echo "message names the option"
"$TFG" run data/matmul_graph.tfg --frobnicate 2>err.txt >/dev/null
grep -q -- '--frobnicate' err.txt && echo "message names the unknown flag"
