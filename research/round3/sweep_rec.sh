for rt in 1.2 1.25 1.3 1.35; do for mk in 8 16 32; do
echo "rthr=$rt min_keep=$mk"; /usr/bin/python3 core.py core="'voiced'" drop_pause=0.3 clus="'rec'" rthr=$rt min_keep=$mk 2>&1 | grep -v Warn | sed 's/^/   /'
done; done
