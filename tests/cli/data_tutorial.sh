# The tutorial, shortened: samples/mnist/fully_connected_feed.tfg for 200 steps on Fashion-MNIST
# (Debian's dataset-fashion-mnist, which `make deps` installs), evaluated on all 70000 images.
# The loss curve and the precision must match TensorFlow's within data_tutorial.tol (relative).
# Expected output from TensorFlow: TFG=$PWD/tests/oracle/tfg-oracle sh data_tutorial.sh
data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ]; then
    echo "data_tutorial: needs $data (Debian's dataset-fashion-mnist: make deps)" >&2
    exit 1
fi
d=$(dirname "$TFG")
for root in "$d" "$d/.." "$d/../.."; do
    [ -f "$root/samples/mnist/fully_connected_feed.tfg" ] && break
done
"$TFG" run "$root/samples/mnist/fully_connected_feed.tfg" -- --max_steps 200 --print_every 10 --log_dir "$PWD/logs" |
    sed 's/([0-9.]* sec)/(T sec)/'
