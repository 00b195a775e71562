"$TFG" run nosuch.tfg >out.txt 2>err.txt
echo "status $?"
grep -q 'nosuch.tfg' err.txt && echo "message names the file"
