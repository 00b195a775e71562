# samples/mnist/fully_connected_feed.tfg on the 300 + 100 image fixture (data/fmnist-mini):
# flags after --, the loss lines (durations masked), the checkpoint, the three evaluations.
# Expected output from TensorFlow: TFG=$PWD/tests/oracle/tfg-oracle sh data_tutorial_mini.sh
d=$(dirname "$TFG")
for root in "$d" "$d/.." "$d/../.."; do
    [ -f "$root/samples/mnist/fully_connected_feed.tfg" ] && break
done
"$TFG" run "$root/samples/mnist/fully_connected_feed.tfg" -- --input_data_dir data/fmnist-mini \
    --validation_size 100 --batch_size 50 --max_steps 250 --print_every 25 --log_dir "$PWD/logs" --seed 3 |
    sed 's/([0-9.]* sec)/(T sec)/'
ls logs | grep -q "^model.ckpt-249" && echo "checkpoint: model.ckpt-249"
