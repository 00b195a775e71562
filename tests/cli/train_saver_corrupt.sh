# Restoring a checkpoint that is truncated, corrupt, empty, a folder, missing,
# or that lacks a variable or disagrees on its dtype or shape: one clear
# message naming the problem (exit 1), nothing on stdout, the file untouched.
# A good checkpoint still restores afterwards.
cat > save.tfg <<'EOF'
import tensorflow as tf
W = tf.Variable([1.0, 2.0, 3.0, 4.0], name="W")
n = tf.Variable(7, name="n")
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(saver.save(sess, "good.ckpt"))
EOF
"$TFG" run save.tfg || exit 1
# restore.tfg PATH: restore PATH into a session whose W is already set
restore() {
  cat > restore.tfg <<EOF
import tensorflow as tf
W = tf.Variable([9.0, 9.0, 9.0, 9.0], name="W")
n = tf.Variable(0, name="n")
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.restore(sess, "$1")
    print(sess.run([W, n]))
EOF
  cp "$1" before 2>/dev/null
  "$TFG" run restore.tfg >out.txt 2>err.txt
  echo "$2: status $?"
  [ -s out.txt ] && echo "  unexpected stdout: $(cat out.txt)"
  grep -qF -- "$3" err.txt && echo "  message: $3" || echo "  unexpected message: $(head -1 err.txt)"
  [ -f "$1" ] && ! cmp -s "$1" before && echo "  the file changed"
  rm -f before
}
size=$(wc -c < good.ckpt)
head -c $((size - 30)) good.ckpt > truncated.ckpt
restore truncated.ckpt "truncated at the end" "Data loss: cannot restore from checkpoint truncated.ckpt"
head -c 150 good.ckpt > short.ckpt
restore short.ckpt "truncated in the first member" "Data loss: cannot restore from checkpoint short.ckpt"
# overwrite 4 bytes of W's data: the member's CRC-32 no longer matches
{ head -c 170 good.ckpt; printf 'XXXX'; tail -c +175 good.ckpt; } > flipped.ckpt
cmp -s flipped.ckpt good.ckpt && echo "flipped.ckpt is not corrupt"
restore flipped.ckpt "corrupt data" "Data loss: cannot restore from checkpoint flipped.ckpt"
printf 'garbage, not a checkpoint\n' > garbage.ckpt
restore garbage.ckpt "not a zip" "Data loss: cannot restore from checkpoint garbage.ckpt"
: > empty.ckpt
restore empty.ckpt "empty file" "Data loss: cannot restore from checkpoint empty.ckpt"
mkdir folder.ckpt
restore folder.ckpt "a folder" "The passed save_path is not a valid checkpoint: folder.ckpt"
restore missing.ckpt "no such file" "The passed save_path is not a valid checkpoint: missing.ckpt"
cat > other.tfg <<'EOF'
import tensorflow as tf
W = tf.Variable([1.0, 2.0, 3.0, 4.0], name="W")
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "only_w.ckpt")
    tf.train.Saver({"W": W, "n": W}).save(sess, "n_float.ckpt")
EOF
"$TFG" run other.tfg || exit 1
restore only_w.ckpt "a variable missing" "Key n not found in checkpoint"
restore n_float.ckpt "wrong dtype" "tensor_name = n; expected dtype int32 does not equal original dtype float"
cat > short.tfg <<'EOF'
import tensorflow as tf
W = tf.Variable([1.0, 2.0], name="W")
n = tf.Variable(5, name="n")
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "w_short.ckpt")
EOF
"$TFG" run short.tfg || exit 1
restore w_short.ckpt "wrong shape" "Assign requires shapes of both tensors to match. lhs shape= [4] rhs shape= [2]"
sed -i 's/w_short.ckpt/good.ckpt/' restore.tfg
"$TFG" run restore.tfg
echo "status $?"
