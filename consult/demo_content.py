"""Demo content for the consultation platform, in Indonesian.

Everything here is fictional: "Kota Sukamaju" and its agency do not exist, and every phone number,
e-mail address and web address is a placeholder. The national laws cited are real and are named only
to make the drafts read like real documents.
"""

from __future__ import annotations

AGENCY = {
    "slug": "disdukcapil-sukamaju",
    "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Sukamaju",
    "description": (
        "Dinas Kependudukan dan Pencatatan Sipil Kota Sukamaju melayani pendaftaran penduduk dan "
        "pencatatan sipil bagi seluruh warga kota, mulai dari Kartu Keluarga dan KTP elektronik hingga "
        "akta kelahiran dan akta kematian. Layanan tersedia di kantor dinas, di 12 kantor kecamatan, "
        "dan secara daring. Melalui konsultasi publik ini, kami mengajak warga ikut menyempurnakan "
        "standar dan kebijakan layanan sebelum ditetapkan."
    ),
}

# Aturan diskusi (house rules): the moderators cite them by number when they hide a comment.
HOUSE_RULES = [
    (
        "Hormati sesama peserta",
        "Dilarang menghina, melecehkan, mengancam, atau menyerang pribadi siapa pun, termasuk petugas. "
        "Kritik ditujukan pada isi rancangan dan layanan, bukan pada orangnya.",
    ),
    (
        "Jangan menyebarkan data pribadi orang lain",
        "Jangan menuliskan NIK, nomor KK, alamat rumah, nomor telepon, foto dokumen, atau data pribadi lain "
        "milik orang lain. Untuk pengaduan atas kasus pribadi, gunakan kanal pengaduan resmi dinas.",
    ),
    (
        "Tetap pada pokok bahasan",
        "Komentar membahas rancangan yang sedang dikonsultasikan. Pertanyaan umum di luar rancangan "
        "disampaikan melalui layanan informasi dinas.",
    ),
    (
        "Tanpa spam dan iklan",
        "Dilarang mengirim promosi, tautan berulang, jasa calo atau pengurusan dokumen berbayar, dan komentar "
        "yang sama berkali-kali.",
    ),
    (
        "Tanpa konten melanggar hukum dan hoaks",
        "Dilarang menyebarkan informasi bohong, ujaran kebencian berdasarkan SARA, atau konten lain yang "
        "melanggar peraturan perundang-undangan.",
    ),
]

# --- Rancangan standar pelayanan: penerbitan Kartu Keluarga -------------------------------------

_DASAR_HUKUM = """\
Standar pelayanan ini disusun berdasarkan peraturan perundang-undangan berikut:

1. Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan sebagaimana telah diubah
   dengan Undang-Undang Nomor 24 Tahun 2013;
2. Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;
3. Peraturan Pemerintah Nomor 40 Tahun 2019 tentang Pelaksanaan Undang-Undang Nomor 23 Tahun 2006
   tentang Administrasi Kependudukan sebagaimana telah diubah dengan Undang-Undang Nomor 24 Tahun 2013;
4. Peraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara Pendaftaran Penduduk
   dan Pencatatan Sipil;
5. Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 15 Tahun 2014
   tentang Pedoman Standar Pelayanan;
6. Peraturan Menteri Dalam Negeri Nomor 108 Tahun 2019 tentang Peraturan Pelaksanaan Peraturan
   Presiden Nomor 96 Tahun 2018;
7. Peraturan Daerah Kota Sukamaju Nomor 4 Tahun 2021 tentang Penyelenggaraan Administrasi
   Kependudukan.

Apabila salah satu peraturan di atas diubah atau dicabut, standar pelayanan ini akan disesuaikan
paling lambat tiga bulan setelah perubahan berlaku."""

_PERSYARATAN = """\
Persyaratan dibedakan menurut jenis permohonan. Dokumen cukup ditunjukkan aslinya di loket atau
diunggah hasil pindaiannya pada permohonan daring. Pemohon **tidak** diwajibkan membawa fotokopi
maupun surat pengantar RT/RW.

**KK baru karena membentuk keluarga baru**

- Formulir Biodata Keluarga (F-1.01) yang telah diisi dan ditandatangani;
- buku nikah atau kutipan akta perkawinan, atau kutipan akta perceraian;
- surat keterangan pindah bagi penduduk yang datang dari luar Kota Sukamaju.

Pasangan yang perkawinannya belum tercatat dapat melampirkan Surat Pernyataan Tanggung Jawab Mutlak
(SPTJM) kebenaran sebagai pasangan suami istri.

**Perubahan data KK** (penambahan atau pengurangan anggota keluarga, perubahan data)

- KK lama;
- dokumen yang menjadi dasar perubahan, misalnya kutipan akta kelahiran, akta kematian, surat
  keterangan pindah, atau ijazah untuk perubahan data pendidikan.

**Penggantian KK yang hilang atau rusak**

- surat keterangan kehilangan dari kepolisian, atau KK yang rusak;
- KTP-el pemohon.

Permohonan dapat diajukan oleh kepala keluarga, anggota keluarga yang sudah dewasa, atau orang lain
dengan surat kuasa."""

_PROSEDUR = """\
Permohonan dapat diajukan langsung di loket kantor dinas dan 12 kantor kecamatan, atau secara daring
melalui aplikasi Sukamaju Dukcapil Online (SIDO). Alur pelayanannya sebagai berikut:

1. Pemohon mengambil nomor antrean di loket, atau mengisi formulir daring dan mengunggah dokumen
   persyaratan.
2. Petugas verifikasi memeriksa kelengkapan dan keabsahan dokumen. Kekurangan berkas disampaikan
   saat itu juga untuk permohonan langsung, atau melalui notifikasi aplikasi dan SMS paling lambat
   dua jam kerja untuk permohonan daring.
3. Operator memasukkan dan memutakhirkan data keluarga dalam Sistem Informasi Administrasi
   Kependudukan (SIAK).
4. Kepala Seksi Identitas Penduduk memeriksa hasil perekaman data, kemudian Kepala Dinas
   menandatangani KK secara elektronik.
5. KK dicetak dan diserahkan di loket, atau dikirim dalam bentuk PDF ke alamat surel pemohon.
6. Pemohon memeriksa kebenaran data pada KK. Jika ada kesalahan, perbaikan dilakukan saat itu juga
   tanpa antre ulang.
7. Pemohon diminta mengisi survei kepuasan singkat dan dapat menyampaikan pengaduan melalui kanal
   yang tercantum pada komponen penanganan pengaduan."""

_JANGKA_WAKTU = """\
Jangka waktu dihitung sejak berkas dinyatakan lengkap dan benar oleh petugas verifikasi.

- Permohonan langsung di loket: **1 hari kerja**. Berkas yang diterima sebelum pukul 12.00 WIB
  diupayakan selesai pada hari yang sama.
- Permohonan daring: paling lama **1 hari kerja**, dan dokumen PDF dikirim ke surel pemohon.
- Permohonan yang memerlukan pencocokan data dengan daerah asal, misalnya pindah datang dari luar
  provinsi: paling lama **3 hari kerja**.

Jam layanan di kantor dinas dan kantor kecamatan:

- Senin–Kamis: 08.00–15.00 WIB;
- Jumat: 08.00–11.00 WIB dan 13.30–15.00 WIB;
- Sabtu: 08.00–12.00 WIB, khusus di Mal Pelayanan Publik Kota Sukamaju.

Jika penyelesaian tertunda karena gangguan jaringan atau SIAK, petugas wajib memberi tahu pemohon
alasannya beserta perkiraan waktu selesai."""

_BIAYA = """\
Penerbitan Kartu Keluarga **tidak dipungut biaya (Rp0)**. Hal ini sesuai dengan Pasal 79A
Undang-Undang Nomor 24 Tahun 2013 yang menyatakan bahwa pengurusan dan penerbitan dokumen
kependudukan tidak dipungut biaya.

| Jenis layanan | Biaya |
|---|---|
| Penerbitan KK baru | Rp0 |
| Perubahan data KK | Rp0 |
| Penggantian KK hilang atau rusak | Rp0 |
| Pengiriman KK dalam bentuk PDF | Rp0 |

Petugas dilarang meminta atau menerima imbalan dalam bentuk apa pun, termasuk dengan alasan
"uang lelah" atau mempercepat proses. Warga yang dimintai pungutan diminta melaporkannya melalui
kanal pengaduan; identitas pelapor dirahasiakan.

Biaya di luar layanan dinas, seperti biaya mencetak sendiri berkas PDF atau ongkos perjalanan ke
kantor, menjadi tanggungan pemohon."""

_PRODUK = """\
Pemohon menerima produk pelayanan berikut:

- **Kartu Keluarga** yang ditandatangani secara elektronik oleh Kepala Dinas, dicetak pada kertas
  HVS A4 80 gram, dan dilengkapi kode QR untuk memeriksa keabsahannya;
- **berkas PDF KK** yang dikirim ke surel pemohon untuk permohonan daring. Hasil cetak berkas ini
  sah dan berkekuatan hukum sama dengan KK yang dicetak di loket;
- **data keluarga yang mutakhir** dalam database kependudukan, sehingga dapat langsung dipakai
  untuk layanan lain seperti BPJS Kesehatan, pendaftaran sekolah, dan perbankan.

KK lama tidak berlaku lagi sejak KK baru diterbitkan. Pada permohonan langsung, KK lama diserahkan
kepada petugas untuk dimusnahkan sesuai ketentuan kearsipan."""

_SARANA = """\
Sarana, prasarana, dan fasilitas yang tersedia di kantor dinas:

- ruang tunggu berpendingin udara dengan 60 kursi, mesin antrean, dan layar panggilan;
- loket prioritas bagi warga lanjut usia, penyandang disabilitas, ibu hamil, dan orang tua yang
  membawa balita;
- jalur landai (ramp), toilet ramah disabilitas, kursi roda, dan ubin pemandu;
- ruang laktasi dan sudut bermain anak;
- komputer, pencetak, dan pemindai dokumen di setiap loket, serta jaringan internet cadangan;
- genset untuk menjaga layanan tetap berjalan saat listrik padam;
- papan informasi standar pelayanan, kotak saran, dan meja pengaduan;
- anjungan mandiri untuk mencetak KK dan memeriksa status permohonan;
- aplikasi SIDO versi situs web dan telepon pintar.

Juru bahasa isyarat dapat disediakan dengan membuat janji paling lambat satu hari kerja sebelumnya.
Kantor kecamatan menyediakan fasilitas serupa dalam skala lebih kecil."""

_KOMPETENSI = """\
Setiap pelaksana layanan KK wajib memenuhi kompetensi berikut.

**Pengetahuan**

- pendidikan paling rendah SMA atau sederajat;
- memahami peraturan administrasi kependudukan, khususnya persyaratan dan tata cara penerbitan KK;
- memahami prinsip perlindungan data pribadi.

**Keterampilan**

- mengoperasikan SIAK, aplikasi SIDO, dan perangkat pemindai;
- memeriksa keabsahan dokumen, termasuk memeriksa kode QR dan tanda tangan elektronik;
- berkomunikasi dengan jelas kepada warga dari berbagai latar belakang.

**Sikap**

- ramah, sabar, dan tidak membeda-bedakan pemohon;
- jujur dan menolak segala bentuk imbalan;
- menjaga kerahasiaan data penduduk.

Pelaksana baru mengikuti pelatihan SIAK dan pelatihan pelayanan prima sebelum bertugas di loket.
Paling sedikit satu petugas di setiap lokasi layanan telah mengikuti pelatihan dasar bahasa isyarat
dan pelayanan bagi penyandang disabilitas."""

_PENGAWASAN = """\
Pengawasan internal dilakukan secara berjenjang:

1. **Pengawasan melekat** oleh atasan langsung. Kepala Seksi Identitas Penduduk memeriksa berkas
   yang diproses setiap hari, sedangkan Kepala Bidang Pelayanan Pendaftaran Penduduk memantau
   capaian jangka waktu setiap minggu.
2. **Pemeriksaan jejak akses SIAK** setiap bulan untuk memastikan data hanya diakses oleh petugas
   yang berwenang dan untuk keperluan layanan.
3. **Pengawasan fungsional** oleh Inspektorat Kota Sukamaju melalui audit kinerja dan reviu
   pelayanan paling sedikit satu kali setahun.
4. **Pemantauan kamera pengawas (CCTV)** di area loket untuk mencegah pungutan liar dan menjamin
   ketertiban layanan.

Temuan pengawasan dicatat, ditindaklanjuti paling lama 30 hari, dan dilaporkan kepada Kepala Dinas.
Pelanggaran oleh petugas diproses sesuai ketentuan disiplin aparatur sipil negara."""

_PENGADUAN = """\
Pengaduan, saran, dan masukan dapat disampaikan melalui kanal berikut:

- **langsung** di meja pengaduan lobi kantor dinas atau kantor kecamatan, pada jam layanan;
- **telepon bebas pulsa**: 0800-1234-5678 (Senin–Jumat, 08.00–16.00 WIB);
- **WhatsApp** (pesan teks): 0812-3456-7890;
- **surel**: pengaduan@disdukcapil.sukamaju.example;
- **SP4N-LAPOR!**, kanal pengaduan pelayanan publik nasional;
- **kotak saran** di setiap lokasi layanan.

Tata cara penanganannya:

1. Setiap pengaduan dicatat dan diberi nomor register yang disampaikan kepada pelapor.
2. Pengaduan ditanggapi paling lambat 1 hari kerja sejak diterima.
3. Pengaduan diselesaikan paling lama 14 hari kerja. Jika memerlukan waktu lebih lama, pelapor
   diberi tahu alasannya.
4. Hasil tindak lanjut disampaikan kepada pelapor melalui kanal yang ia gunakan.

Identitas pelapor dirahasiakan. Rekapitulasi pengaduan dan tindak lanjutnya diumumkan setiap tiga
bulan di situs web dinas."""

_JUMLAH_PELAKSANA = """\
Jumlah pelaksana ditetapkan berdasarkan analisis beban kerja, dengan rata-rata 180 permohonan KK per
hari di seluruh lokasi layanan.

Di kantor dinas:

- 2 petugas informasi dan antrean;
- 4 petugas verifikasi berkas;
- 6 operator SIAK;
- 2 petugas pencetakan dan penyerahan dokumen;
- 2 petugas layanan daring;
- 1 petugas pengaduan.

Di setiap kantor kecamatan terdapat 2 petugas, sehingga berjumlah 24 orang di 12 kecamatan. Total
pelaksana layanan KK adalah **41 orang**.

Pada masa permohonan tinggi, misalnya menjelang penerimaan peserta didik baru, dinas dapat
menambah petugas dari bidang lain secara sementara."""

_JAMINAN_PELAYANAN = """\
Dinas menjamin pelayanan diberikan sesuai standar ini melalui Maklumat Pelayanan yang akan
ditetapkan setelah rancangan ini selesai dikonsultasikan. Rancangan bunyi maklumat tersebut:

> "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan penerbitan Kartu Keluarga sesuai
> standar pelayanan yang telah ditetapkan, dan apabila tidak menepati janji ini, kami siap menerima
> sanksi sesuai dengan peraturan perundang-undangan yang berlaku."

Selain itu, dinas berkomitmen:

- menyelesaikan permohonan sesuai jangka waktu, dan jika terlambat lebih dari satu hari kerja
  karena kelalaian petugas, KK diantar ke alamat pemohon tanpa biaya;
- tidak memungut biaya apa pun;
- memperbaiki kesalahan data akibat kekeliruan petugas pada hari yang sama;
- memajang maklumat dan standar pelayanan di setiap lokasi layanan dan di situs web dinas."""

_JAMINAN_KEAMANAN = """\
Keamanan dan keselamatan pelayanan dijamin melalui langkah-langkah berikut.

**Keamanan data dan dokumen**

- akses SIAK dan aplikasi SIDO menggunakan akun pribadi, kata sandi, dan verifikasi dua langkah;
- seluruh akses data tercatat dan diperiksa secara berkala;
- tanda tangan elektronik menggunakan sertifikat elektronik yang sah, dan keabsahan KK dapat
  diperiksa melalui kode QR;
- berkas yang diunggah pemohon disimpan terenkripsi dan hanya dipakai untuk keperluan layanan,
  sesuai Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi;
- petugas dilarang memotret atau menyalin dokumen pemohon di luar keperluan layanan.

**Keselamatan pengunjung dan petugas**

- alat pemadam api ringan, jalur evakuasi, dan titik kumpul yang ditandai dengan jelas;
- kotak pertolongan pertama dan petugas yang terlatih menggunakannya;
- petugas keamanan dan kamera pengawas di area layanan."""

_EVALUASI = """\
Kinerja pelaksana dan mutu layanan dievaluasi secara berkala:

1. **Survei Kepuasan Masyarakat (SKM)** dilaksanakan setiap semester. Target indeks kepuasan paling
   rendah 85 (kategori baik).
2. **Rapat evaluasi bulanan** di tingkat bidang membahas capaian indikator berikut:
   - persentase permohonan yang selesai tepat waktu, dengan target paling rendah 95%;
   - rata-rata waktu tunggu di loket, dengan target paling lama 30 menit;
   - jumlah pengaduan dan persentase yang selesai dalam 14 hari kerja.
3. **Penilaian kinerja individu** pegawai mengacu pada capaian indikator di atas, hasil pengawasan
   atasan, dan pengaduan yang terbukti.

Hasil SKM dan capaian indikator diumumkan di situs web dinas. Standar pelayanan ini ditinjau
kembali paling sedikit satu kali setahun, dengan melibatkan masyarakat melalui konsultasi publik
seperti yang sedang berlangsung saat ini."""

SERVICE_STANDARD = {
    "title": "Rancangan Standar Pelayanan Penerbitan Kartu Keluarga (KK)",
    "service_name": "Penerbitan Kartu Keluarga (KK)",
    "summary": (
        "Rancangan standar pelayanan penerbitan KK baru, perubahan data, dan penggantian KK hilang "
        "atau rusak: tanpa biaya dan selesai dalam 1 hari kerja."
    ),
    "components": {
        "dasar-hukum": _DASAR_HUKUM,
        "persyaratan": _PERSYARATAN,
        "sistem-mekanisme-prosedur": _PROSEDUR,
        "jangka-waktu": _JANGKA_WAKTU,
        "biaya-tarif": _BIAYA,
        "produk-pelayanan": _PRODUK,
        "sarana-prasarana": _SARANA,
        "kompetensi-pelaksana": _KOMPETENSI,
        "pengawasan-internal": _PENGAWASAN,
        "penanganan-pengaduan": _PENGADUAN,
        "jumlah-pelaksana": _JUMLAH_PELAKSANA,
        "jaminan-pelayanan": _JAMINAN_PELAYANAN,
        "jaminan-keamanan": _JAMINAN_KEAMANAN,
        "evaluasi-kinerja": _EVALUASI,
    },
}

# --- Rancangan peraturan wali kota: layanan administrasi kependudukan daring --------------------

POLICY = {
    "title": "Rancangan Peraturan Wali Kota Sukamaju tentang Layanan Administrasi Kependudukan Daring",
    "summary": (
        "Rancangan aturan tentang pengajuan dokumen kependudukan secara daring, verifikasi identitas, "
        "perlindungan data pribadi, serta hak dan kewajiban pemohon."
    ),
    "markdown": """\
Rancangan ini disusun oleh Dinas Kependudukan dan Pencatatan Sipil Kota Sukamaju sebagai dasar
penyelenggaraan layanan administrasi kependudukan secara daring. Sebelum ditetapkan oleh Wali Kota,
rancangan ini dibuka untuk konsultasi publik agar warga, pelaku usaha, dan organisasi masyarakat
dapat memberikan tanggapan terhadap setiap bagiannya.

## Ketentuan Umum

Dalam Peraturan Wali Kota ini yang dimaksud dengan:

1. **Daerah** adalah Kota Sukamaju.
2. **Wali Kota** adalah Wali Kota Sukamaju.
3. **Dinas** adalah Dinas Kependudukan dan Pencatatan Sipil Kota Sukamaju.
4. **Layanan Daring** adalah layanan administrasi kependudukan yang permohonan, pemrosesan, dan
   penyerahan dokumennya dilakukan melalui jaringan internet.
5. **Aplikasi** adalah aplikasi Sukamaju Dukcapil Online (SIDO) yang dikelola Dinas, baik versi
   situs web maupun versi telepon pintar.
6. **Pemohon** adalah penduduk, atau orang yang diberi kuasa olehnya, yang mengajukan permohonan
   melalui Aplikasi.
7. **Tanda Tangan Elektronik** adalah tanda tangan yang terdiri atas informasi elektronik yang
   dilekatkan pada dokumen dan digunakan sebagai alat verifikasi dan autentikasi.

## Maksud dan Tujuan

Peraturan Wali Kota ini dimaksudkan sebagai pedoman bagi Dinas dan masyarakat dalam
menyelenggarakan dan memanfaatkan Layanan Daring. Tujuannya adalah:

1. mempermudah penduduk memperoleh dokumen kependudukan tanpa harus datang ke kantor;
2. memberikan kepastian waktu penyelesaian;
3. mengurangi antrean di kantor Dinas dan kantor kecamatan; dan
4. menjamin keamanan dan kerahasiaan data pribadi penduduk.

## Ruang Lingkup

Layanan Daring meliputi:

1. penerbitan Kartu Keluarga baru dan perubahan data Kartu Keluarga;
2. penerbitan kutipan akta kelahiran dan kutipan akta kematian;
3. penerbitan surat keterangan pindah dan pindah datang;
4. penerbitan Kartu Identitas Anak; dan
5. pencetakan ulang KTP-el karena rusak atau perubahan data, dengan pengambilan kartu di kantor
   kecamatan yang dipilih Pemohon.

Perekaman sidik jari, iris mata, dan foto untuk KTP-el tetap dilakukan secara langsung di kantor
Dinas atau kantor kecamatan.

## Tata Cara Permohonan Daring

1. Pemohon mendaftarkan akun pada Aplikasi dengan memasukkan NIK, nomor Kartu Keluarga, nomor
   telepon seluler yang aktif, dan alamat surel.
2. Pemohon memilih jenis layanan, mengisi formulir elektronik, dan mengunggah pindaian dokumen
   persyaratan dalam format PDF atau JPG dengan ukuran paling besar 2 MB per berkas.
3. Dinas memverifikasi permohonan paling lama 1 hari kerja sejak permohonan diterima.
4. Permohonan yang belum lengkap dikembalikan kepada Pemohon disertai keterangan kekurangannya.
   Pemohon dapat melengkapinya paling lama 14 hari; setelah itu permohonan dianggap batal.
5. Dokumen yang telah selesai ditandatangani dengan Tanda Tangan Elektronik dan dapat diunduh
   melalui Aplikasi atau dikirim ke surel Pemohon.
6. Dokumen yang dicetak sendiri oleh Pemohon sah dan mempunyai kekuatan hukum yang sama dengan
   dokumen yang dicetak oleh Dinas.

### Verifikasi Identitas Pemohon

Untuk mencegah penyalahgunaan, Dinas memverifikasi identitas Pemohon melalui:

1. pencocokan NIK dan nomor Kartu Keluarga dengan database kependudukan;
2. kode sekali pakai yang dikirim ke nomor telepon seluler Pemohon; dan
3. swafoto bersama KTP-el, khusus untuk jenis layanan yang ditetapkan oleh Kepala Dinas.

## Perlindungan Data Pribadi

1. Dinas hanya mengumpulkan data pribadi yang diperlukan untuk memproses permohonan.
2. Data dan dokumen yang diunggah disimpan secara terenkripsi di pusat data Pemerintah Daerah.
3. Akses terhadap data dibatasi pada petugas yang berwenang dan setiap akses dicatat dalam sistem.
4. Dokumen unggahan dihapus dari server Aplikasi paling lama 30 hari setelah permohonan selesai,
   kecuali dokumen yang wajib diarsipkan menurut peraturan perundang-undangan.
5. Dalam hal terjadi kegagalan pelindungan data pribadi, Dinas memberitahukannya secara tertulis
   kepada Pemohon yang terdampak paling lambat 3 x 24 jam, sesuai Undang-Undang Nomor 27 Tahun 2022
   tentang Pelindungan Data Pribadi.
6. Dinas dilarang memberikan data pribadi Pemohon kepada pihak lain tanpa dasar hukum yang sah.

## Hak dan Kewajiban Pemohon

Pemohon berhak:

1. memperoleh layanan tanpa dipungut biaya;
2. mengetahui status permohonannya setiap saat melalui Aplikasi;
3. memperoleh pendampingan dari petugas di Pojok Layanan Daring kantor kecamatan apabila tidak
   memiliki perangkat atau mengalami kesulitan; dan
4. menyampaikan pengaduan atas layanan yang diterimanya.

Pemohon wajib:

1. memberikan data dan dokumen yang benar dan sah;
2. menjaga kerahasiaan akun dan kode sekali pakai; dan
3. tidak mengajukan permohonan atas nama orang lain tanpa surat kuasa.

## Pengaduan

1. Pengaduan atas Layanan Daring dapat disampaikan melalui menu pengaduan pada Aplikasi, surel
   pengaduan@disdukcapil.sukamaju.example, telepon bebas pulsa 0800-1234-5678, atau SP4N-LAPOR!.
2. Dinas menanggapi pengaduan paling lambat 1 hari kerja dan menyelesaikannya paling lama 14 hari
   kerja sejak pengaduan diterima.
3. Identitas pelapor wajib dirahasiakan.

## Ketentuan Penutup

1. Layanan tatap muka tetap diselenggarakan dan tidak digantikan oleh Layanan Daring.
2. Ketentuan teknis pelaksanaan Peraturan Wali Kota ini diatur dengan Keputusan Kepala Dinas.
3. Peraturan Wali Kota ini mulai berlaku pada tanggal diundangkan. Agar setiap orang mengetahuinya,
   memerintahkan pengundangan Peraturan Wali Kota ini dengan penempatannya dalam Berita Daerah
   Kota Sukamaju.""",
}

# --- Rancangan terdahulu untuk putaran konsultasi yang sudah ditutup ------------------------------

CLOSED_POLICY = {
    "title": "Rancangan Standar Jam Layanan dan Antrean Kantor Kecamatan",
    "summary": (
        "Rancangan jam layanan yang seragam, sistem antrean, dan layanan prioritas untuk administrasi "
        "kependudukan di 12 kantor kecamatan."
    ),
    "markdown": """\
Rancangan ini mengatur jam layanan dan pengelolaan antrean layanan administrasi kependudukan di
12 kantor kecamatan se-Kota Sukamaju. Rancangan disusun setelah banyak warga mengeluhkan antrean
yang menumpuk pada pagi hari dan jam layanan yang berbeda-beda antarkecamatan.

## Jam Layanan

1. Layanan administrasi kependudukan di kantor kecamatan dibuka pada hari Senin sampai dengan
   Kamis pukul 08.00–15.00 WIB, serta hari Jumat pukul 08.00–11.00 WIB dan 13.30–15.00 WIB.
2. Layanan tetap berjalan pada jam istirahat dengan pengaturan giliran petugas.
3. Perubahan jam layanan karena keadaan tertentu diumumkan paling lambat tiga hari sebelumnya,
   kecuali dalam keadaan darurat.

## Sistem Antrean

1. Setiap kantor kecamatan menggunakan mesin antrean yang memisahkan nomor antrean menurut jenis
   layanan.
2. Warga dapat mengambil nomor antrean secara daring paling lambat satu hari sebelum kedatangan.
3. Kuota antrean harian ditetapkan oleh camat berdasarkan jumlah petugas, dan paling sedikit 30%
   dari kuota disediakan untuk warga yang datang langsung tanpa pendaftaran daring.
4. Nomor antrean yang dipanggil tiga kali dan tidak hadir dialihkan ke urutan berikutnya.

## Layanan Prioritas

Warga lanjut usia, penyandang disabilitas, ibu hamil, dan orang tua yang membawa balita dilayani
melalui loket prioritas tanpa mengikuti antrean umum. Bagi warga yang sakit atau tidak dapat
meninggalkan rumah, kantor kecamatan menyediakan layanan jemput bola berdasarkan permintaan
keluarga atau ketua RT.

## Informasi dan Pengumuman

1. Jam layanan, kuota antrean, dan perkiraan waktu tunggu ditampilkan di papan informasi kantor
   kecamatan dan di situs web Dinas.
2. Layar antrean menampilkan nomor yang sedang dilayani dan jumlah antrean yang tersisa.
3. Gangguan jaringan atau sistem yang menghentikan layanan lebih dari 30 menit wajib diumumkan
   kepada warga yang sedang menunggu.

## Evaluasi

Camat melaporkan jumlah pengunjung, rata-rata waktu tunggu, dan jumlah pengaduan kepada Dinas
setiap bulan. Dinas mengevaluasi standar ini setiap enam bulan dan dapat menyesuaikan kuota serta
jumlah petugas berdasarkan hasil evaluasi tersebut. Ringkasan hasil evaluasi diumumkan kepada
masyarakat melalui situs web Dinas dan papan informasi di setiap kantor kecamatan.""",
}
