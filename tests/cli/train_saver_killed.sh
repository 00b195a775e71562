# A save killed half-way leaves the previous checkpoint whole. The first run
# saves v = [1, 2, 3] (with a 64 MiB variable, so that writing takes a while);
# the second sets v = [4, 5, 6] and saves to the same path; it is stopped as
# soon as its temporary file exists (before the rename that would publish the
# new checkpoint) and killed. The checkpoint and the state file are then
# byte for byte the old ones, and restoring gives v = [1, 2, 3].
cat > model.tfg <<'EOF'
import tensorflow as tf
v = tf.Variable([1.0, 2.0, 3.0], name="v")
big = tf.Variable(tf.zeros([16777216]), name="big")
saver = tf.train.Saver()
EOF
cat model.tfg - > old.tfg <<'EOF'
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(saver.save(sess, "model.ckpt"))
EOF
cat model.tfg - > new.tfg <<'EOF'
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(tf.assign(v, [4.0, 5.0, 6.0]))
    saver.save(sess, "model.ckpt")
EOF
cat model.tfg - > restore.tfg <<'EOF'
with tf.Session() as sess:
    saver.restore(sess, tf.train.latest_checkpoint("."))
    print(sess.run(v))
EOF
"$TFG" run old.tfg || exit 1
cp model.ckpt old.ckpt
cp checkpoint old.state
killed=no
tries=0
while [ "$killed" = no ] && [ "$tries" -lt 5 ]; do
  tries=$((tries + 1))
  rm -f model.ckpt.tmp.*
  "$TFG" run new.tfg &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for f in model.ckpt.tmp.*; do
      [ -e "$f" ] || continue
      kill -STOP "$pid"
      # stopped with the temporary file still there: the rename has not happened
      for g in model.ckpt.tmp.*; do [ -e "$g" ] && killed=yes; done
      kill -KILL "$pid"
      break 2
    done
  done
  wait "$pid" 2>/dev/null
  # a save that finished before it could be stopped published the new
  # checkpoint: put the old one back and try again
  if [ "$killed" = no ]; then cp old.ckpt model.ckpt; cp old.state checkpoint; fi
done
echo "killed during the save: $killed"
cmp -s model.ckpt old.ckpt && echo "checkpoint unchanged"
cmp -s checkpoint old.state && echo "state file unchanged"
"$TFG" run restore.tfg
echo "status $?"
