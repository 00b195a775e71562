# tfg run --repeat / --batch: usage errors, batch slices, and the progress bar,
# which goes to stderr only when stderr is a terminal (script(1) provides one)
cat > m.tfg <<'TFG'
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 2], name="x")
s = tf.reduce_sum(x, name="s")
n = tf.shape(x)[0]
TFG
st() { "$@" >out.txt 2>err.txt; echo "status $?"; }
echo "-- usage errors"
st "$TFG" run m.tfg --repeat 3; head -n 1 err.txt
st "$TFG" run m.tfg --fetch s --repeat 0; head -n 1 err.txt
st "$TFG" run m.tfg --fetch s --batch x2; head -n 1 err.txt
echo "-- batches: run i takes rows (i*B + k) mod N"
"$TFG" run m.tfg --fetch s,n --feed x=@data/reg_x.npy --repeat 1 --batch 3
"$TFG" run m.tfg --fetch s,n --feed x=@data/reg_x.npy --repeat 3 --batch 3
"$TFG" run m.tfg --fetch s,n --feed x=@data/reg_x.npy --repeat 2 --batch 10
echo "-- a literal feed does not advance"
"$TFG" run m.tfg --fetch s --feed "x=[[1,2]]" --repeat 4 --batch 2
echo "-- a batch of the wrong shape: TF's feed error"
echo "5" > one.csv
st "$TFG" run m.tfg --fetch s --feed x=@one.csv --repeat 2 --batch 2; cat err.txt
echo "-- stderr not a terminal: nothing on it"
st "$TFG" run m.tfg --fetch s --feed x=@data/reg_x.npy --repeat 50 --batch 2; wc -c < err.txt
if command -v script >/dev/null 2>&1; then
    echo "-- stderr a terminal: a progress bar"
    script -qec "$TFG run m.tfg --fetch s,n --feed x=@data/reg_x.npy --repeat 50 --batch 2 >out.txt" typescript >/dev/null 2>&1
    echo "status $?"
    grep -q '50/50' typescript && echo "bar: 50/50"
    grep -q 'steps/s' typescript && echo "bar: steps/s"
    grep -q 'ETA' typescript && echo "bar: ETA"
    grep -q 's=[0-9.]*' typescript && echo "bar: last scalar"
    cat out.txt
else
    printf '%s\n' "-- stderr a terminal: a progress bar" "status 0" "bar: 50/50" "bar: steps/s" "bar: ETA" \
        "bar: last scalar" "s:" "10.0" "n:" "2"
fi
