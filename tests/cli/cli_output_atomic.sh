# A failing run leaves an existing output file as it was, with no temporary files beside it.
echo old > out.txt
"$TFG" run data/linear_state.tfg --fetch y -o out.txt >/dev/null 2>&1
echo "status $?"
cat out.txt
echo old > out.npy
"$TFG" run data/linear_state.tfg --fetch y --format npy -o out.npy >/dev/null 2>&1
echo "status $?"
cat out.npy
echo "temporary files left: $(ls -a | grep -c '^out\..*\..')"
