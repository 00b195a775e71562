# A run that fails does not touch the checkpoint.
"$TFG" run data/linear_state.tfg --state s.npz --fetch step || exit 1
cp s.npz saved.npz
"$TFG" run data/linear_state.tfg --state s.npz --fetch y >/dev/null 2>err.txt
echo "missing feed: status $?"
cmp -s s.npz saved.npz && echo "checkpoint unchanged"
grep -q "You must feed a value for placeholder tensor 'x'" err.txt && echo "message names the placeholder"
"$TFG" run data/linear_state.tfg --state s.npz --fetch nosuch >/dev/null 2>&1
echo "unknown fetch: status $?"
cmp -s s.npz saved.npz && echo "checkpoint unchanged"
"$TFG" run data/linear_state.tfg --state s.npz --feed 'x=[[0,0]]' --fetch y || exit 1
