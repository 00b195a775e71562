# Saver across processes: one run trains two Adam steps and saves (the slots,
# beta powers and global step with the weights); a second run restores the
# latest checkpoint and takes a third step: the same numbers as three steps
# in one run. The "checkpoint" state file is TF's text format.
cat > model.tfg <<'EOF'
import tensorflow as tf
W = tf.Variable([1.0, -2.0, 0.5], name="W")
loss = tf.reduce_sum(tf.square(W - tf.constant([0.25, 0.5, -1.0])))
gs = tf.train.get_or_create_global_step()
train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
saver = tf.train.Saver()
EOF
cat model.tfg - > first.tfg <<'EOF'
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    sess.run(train)
    print(saver.save(sess, "run/model.ckpt", global_step=gs))
EOF
cat model.tfg - > second.tfg <<'EOF'
print(tf.train.latest_checkpoint("run"))
with tf.Session() as sess:
    saver.restore(sess, tf.train.latest_checkpoint("run"))
    sess.run(train)
    print(sess.run([W, gs]))
EOF
cat model.tfg - > oneshot.tfg <<'EOF'
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        sess.run(train)
    print(sess.run([W, gs]))
EOF
"$TFG" run first.tfg
echo "status $?"
cat run/checkpoint
"$TFG" run second.tfg > second.txt
echo "status $?"
"$TFG" run oneshot.tfg > oneshot.txt
cat second.txt
tail -n 1 second.txt > a.txt
cmp -s a.txt oneshot.txt && echo "the restored run matches an uninterrupted one"
