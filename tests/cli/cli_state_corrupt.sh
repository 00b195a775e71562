# A corrupt checkpoint is an error (exit 1) and is left as it was.
printf 'PK\003\004 this is not a checkpoint' > state.npz
cp state.npz before.npz
"$TFG" run data/counter_graph.tfg --state state.npz --fetch update >out.txt 2>err.txt
echo "status $?"
cmp -s state.npz before.npz && echo "checkpoint unchanged"
grep -q 'state.npz' err.txt && echo "message names the file"
[ -s out.txt ] && echo "unexpected stdout: $(cat out.txt)"
echo "temporary files left: $(ls -a | grep -c '^state\.npz.')"
